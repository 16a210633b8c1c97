package dev.symmim.transforms.training;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A training run's TensorBoard event files, next to {@code metrics.jsonl}, so that
 * {@code tensorboard --logdir=<run>} shows the run as it trains: each attempt (a new run or a
 * resume) writes {@code events.out.tfevents.<unix seconds>.<host>}, TFRecord-framed
 * ({@link TfRecords}) {@code Event} messages ({@link SummaryEvents}): the file version, a session
 * start at the attempt's first step, then one event of scalars per logged step.
 *
 * <p>Locally the file is appended to and flushed after every event. gs:// objects cannot be
 * appended to: there the attempt writes one object per {@link #publish} (each checkpoint commit
 * and the end of the run), {@code events.out.tfevents.<unix seconds>.<host>.<NNNNNN>}, holding
 * the events since the previous one; TensorBoard reads a run's files in name order as one log.
 *
 * <p>After a resume (or a NaN rollback) the session start of the new attempt makes TensorBoard drop
 * the steps the interrupted attempt logged after the checkpoint it resumed from (the records
 * {@code metrics.jsonl} is cut back by); the files keep them.
 */
public final class TensorBoardLog implements AutoCloseable {
  public static final String FILE_PREFIX = "events.out.tfevents.";
  /** Tags of metrics.jsonl fields; a field not named here is its own tag. */
  private static final Map<String, String> TAGS = Map.of(
      "loss", "loss/total",
      "mimLoss", "loss/mim",
      "conLoss", "loss/con",
      "gradNorm", "grad_norm",
      "trainTop1", "train/top1",
      "imagesPerSecond", "throughput/img_per_s",
      "stepSeconds", "time/step_s");
  /** metrics.jsonl fields that are not scalars of the step: where it is, and when. */
  private static final Set<String> NOT_SCALARS = Set.of("batch", "step", "time", "refused", "reason");

  private final RunDirectory dir;
  private final String name;
  private final boolean perPublish;
  private int segment;
  private String file;
  private OutputStream out;

  private TensorBoardLog(RunDirectory dir, String name, boolean perPublish) {
    this.dir = dir;
    this.name = name;
    this.perPublish = perPublish;
  }

  /** Starts this attempt's event file in {@code dir}, whose first step will be {@code firstStep}. */
  public static TensorBoardLog open(RunDirectory dir, long firstStep) throws IOException {
    String name = FILE_PREFIX + System.currentTimeMillis() / 1000 + "." + hostname();
    TensorBoardLog log = new TensorBoardLog(dir, name, dir.location().startsWith("gs://"));
    log.openFile();
    log.append(SummaryEvents.sessionStart(now(), firstStep));
    return log;
  }

  /**
   * One event at {@code step} with a scalar per finite number in {@code values}, tagged as
   * {@link #tagOf} says; a metrics.jsonl record's batch, step, time and refusal are left out.
   */
  public void write(long step, Map<String, ?> values) throws IOException {
    Map<String, Double> scalars = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      if (!NOT_SCALARS.contains(e.getKey()) && e.getValue() instanceof Number n
          && Double.isFinite(n.doubleValue())) {
        scalars.put(tagOf(e.getKey()), n.doubleValue());
      }
    }
    if (!scalars.isEmpty()) {
      append(SummaryEvents.scalars(now(), step, scalars));
    }
  }

  /** After a rollback to a checkpoint: the steps logged from {@code step} on are dropped by TensorBoard. */
  public void restart(long step) throws IOException {
    append(SummaryEvents.sessionStart(now(), step));
  }

  /** On gs://: uploads the events since the last call as a new object (nothing when there are none). */
  public void publish() throws IOException {
    if (!perPublish || out == null) {
      return;
    }
    out.close();
    out = null;
    dir.publish(file);
    Files.delete(dir.local().resolve(file));
  }

  /** The TensorBoard tag of a metrics.jsonl field ({@code mimLoss} is {@code loss/mim}). */
  public static String tagOf(String field) {
    return TAGS.getOrDefault(field, field);
  }

  private void append(byte[] event) throws IOException {
    if (out == null) {
      openFile();
    }
    out.write(TfRecords.frame(event));
    out.flush();
  }

  /** Starts the next file (the next object on gs://) with its file version event. */
  private void openFile() throws IOException {
    file = perPublish ? name + String.format(".%06d", segment++) : unused(name);
    out = new BufferedOutputStream(Files.newOutputStream(dir.local().resolve(file), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE));
    out.write(TfRecords.frame(SummaryEvents.fileVersion(now())));
  }

  /** {@code name}, or {@code name.1}, {@code name.2}, ... when an attempt in the same second took it. */
  private String unused(String name) {
    String candidate = name;
    for (int i = 1; Files.exists(dir.local().resolve(candidate)); i++) {
      candidate = name + "." + i;
    }
    return candidate;
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static String hostname() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    return host.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
