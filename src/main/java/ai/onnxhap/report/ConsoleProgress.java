package ai.onnxhap.report;

import ai.onnxhap.tf.train.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar per epoch on a terminal (ETA, loss, samples/s) and one summary line per epoch; in a pipeline
 * (no console) only the summary lines, since redrawn bars would fill logs.
 */
public final class ConsoleProgress implements ai.onnxhap.compress.CompressionJob.Progress {
    private final PrintStream out;
    private final boolean bars = System.console() != null;
    private ProgressBar bar;
    private double lossSum;
    private long samples;
    private long started;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    private ProgressBar probeBar;

    /** Hessian probes: a bar on a terminal, one line when done otherwise. */
    @Override
    public void probeDone(int done, int total) {
        if (bars && probeBar == null) {
            probeBar = new ProgressBarBuilder().setTaskName("Hessian probes").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out)).build();
        }
        if (probeBar != null) {
            probeBar.stepTo(done);
        }
        if (done == total) {
            if (probeBar != null) {
                probeBar.close();
                probeBar = null;
            }
            out.printf(Locale.ROOT, "Hessian: %d probes done%n", total);
        }
    }

    @Override
    public void epochStarted(int epoch, int epochs, long steps) {
        lossSum = 0;
        samples = 0;
        started = System.nanoTime();
        if (!bars) {
            return;
        }
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(out)).build();
    }

    @Override
    public void step(double loss, long batch) {
        lossSum += loss * batch;
        samples += batch;
        if (bar == null) {
            return;
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %.0f samples/s", lossSum / samples,
                samples / seconds));
        bar.step();
    }

    @Override
    public void epochFinished(EpochStats stats) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.printf(Locale.ROOT, "epoch %d: loss %.4f, %.0f samples/s, lr %.2e%n", stats.epoch(), stats.meanLoss(),
                stats.samplesPerSecond(), stats.learningRate());
    }
}
