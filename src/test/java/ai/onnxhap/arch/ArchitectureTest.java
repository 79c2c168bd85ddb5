package ai.onnxhap.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the pipeline's layering visible: analysis code never reaches for a runtime, nothing reaches for the CLI. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.onnxhap");

    @Test
    void modelAndGraphNeedNoRuntime() {
        noClasses().that().resideInAnyPackage("ai.onnxhap.model..", "ai.onnxhap.graph..", "ai.onnxhap.plan..",
                        "ai.onnxhap.rewrite..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.onnxruntime..", "org.tensorflow..",
                        "ai.onnxhap.validate..", "ai.onnxhap.tf..", "ai.onnxhap.report..", "ai.onnxhap.data..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void onlyTheCliUsesPicocli() {
        noClasses().that().resideOutsideOfPackage("ai.onnxhap.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "ai.onnxhap.cli..")
                .check(MAIN);
    }
}
