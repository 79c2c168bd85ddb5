package ai.onnxhap.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** Keeps the pipeline's layering visible: analysis code never reaches for a runtime, nothing reaches for the CLI. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/")).importPackages("ai.onnxhap");

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
