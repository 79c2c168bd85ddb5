package ai.onnxhap.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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

    /** Each top-level package is one stage; stages may depend on earlier ones only, never on each other both ways. */
    @Test
    void stagesHaveNoCycles() {
        slices().matching("ai.onnxhap.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    /** report renders what the stages return; no stage reads its results back from a renderer. */
    @Test
    void onlyTheCliUsesTheRenderers() {
        noClasses().that().resideOutsideOfPackages("ai.onnxhap.cli..", "ai.onnxhap.report..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.onnxhap.report..")
                .check(MAIN);
    }

    @Test
    void onlyTheCliUsesPicocli() {
        noClasses().that().resideOutsideOfPackage("ai.onnxhap.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "ai.onnxhap.cli..")
                .check(MAIN);
    }
}
