package dev.symmim.pipelines.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** PNG plots drawn with Java2D (headless): line charts and labelled scatter plots. */
public final class Plots {
  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
      new Color(0x17becf)};

  private Plots() {}

  /** A named series of (x, y) points. */
  record Series(String name, double[] x, double[] y) {}

  static Graphics2D canvas(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
  }

  /** Line chart of {@code series} with axes labelled by their ranges. */
  static void lines(Path png, String title, String xLabel, List<Series> series) throws IOException {
    int w = 840;
    int h = 360;
    int left = 60;
    int right = 230;
    int top = 30;
    int bottom = 40;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    double x0 = Double.MAX_VALUE;
    double x1 = -Double.MAX_VALUE;
    double y0 = 0;
    double y1 = -Double.MAX_VALUE;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        x0 = Math.min(x0, s.x()[i]);
        x1 = Math.max(x1, s.x()[i]);
        y1 = Math.max(y1, s.y()[i]);
        y0 = Math.min(y0, s.y()[i]);
      }
    }
    if (x1 <= x0) {
      x1 = x0 + 1;
    }
    if (y1 <= y0) {
      y1 = y0 + 1;
    }
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.setColor(Color.BLACK);
    g.drawString(title, left, 18);
    g.drawRect(left, top, pw, ph);
    for (int t = 0; t <= 4; t++) {
      double yv = y0 + (y1 - y0) * t / 4;
      int py = top + ph - (int) (ph * t / 4.0);
      g.setColor(new Color(0xeeeeee));
      g.drawLine(left + 1, py, left + pw - 1, py);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%.3g", yv), 4, py + 4);
      double xv = x0 + (x1 - x0) * t / 4;
      int px = left + (int) (pw * t / 4.0);
      g.drawString(String.format("%.0f", xv), px - 10, top + ph + 16);
    }
    g.drawString(xLabel, left + pw / 2 - 20, h - 6);
    g.setStroke(new BasicStroke(1.5f));
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      g.setColor(si == 0 ? Color.BLACK : PALETTE[(si - 1) % PALETTE.length]);
      for (int i = 1; i < s.x().length; i++) {
        g.drawLine(left + (int) (pw * (s.x()[i - 1] - x0) / (x1 - x0)), top + ph - (int) (ph * (s.y()[i - 1] - y0) / (y1 - y0)),
            left + (int) (pw * (s.x()[i] - x0) / (x1 - x0)), top + ph - (int) (ph * (s.y()[i] - y0) / (y1 - y0)));
      }
      g.fillRect(left + pw + 12, top + 10 + 18 * si, 14, 4);
      g.drawString(s.name(), left + pw + 30, top + 16 + 18 * si);
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  /** Scatter plot of (x, y, label) points, coloured by label, with a legend of {@code names}. */
  static void scatter(Path png, String title, double[][] points, List<String> names) throws IOException {
    int w = 620;
    int h = 480;
    int plot = 440;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (double[] p : points) {
      minX = Math.min(minX, p[0]);
      maxX = Math.max(maxX, p[0]);
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
    }
    double sx = plot / Math.max(maxX - minX, 1e-12);
    double sy = plot / Math.max(maxY - minY, 1e-12);
    g.setColor(Color.BLACK);
    g.drawString(title, 10, 16);
    g.drawRect(10, 25, plot + 10, plot + 10);
    for (double[] p : points) {
      int label = (int) p[2];
      g.setColor(label < 0 ? Color.GRAY : PALETTE[label % PALETTE.length]);
      g.fillOval(15 + (int) ((p[0] - minX) * sx) - 2, 30 + plot - (int) ((p[1] - minY) * sy) - 2, 5, 5);
    }
    for (int i = 0; i < names.size(); i++) {
      g.setColor(PALETTE[i % PALETTE.length]);
      g.fillOval(plot + 32, 38 + 18 * i, 9, 9);
      g.setColor(Color.BLACK);
      g.drawString(names.get(i), plot + 46, 47 + 18 * i);
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  /** A named curve of (x, mean) points with a +- error per point. */
  public record ErrorSeries(String name, double[] x, double[] mean, double[] error) {}

  /**
   * Points joined by lines with vertical error bars, on a logarithmic x axis (ticks at the points'
   * x values, labelled as percentages: the label-efficiency plot).
   */
  public static void logXWithErrors(Path png, String title, String xLabel, String yLabel, List<ErrorSeries> series)
      throws IOException {
    int w = 840;
    int h = 420;
    int left = 70;
    int right = 200;
    int top = 30;
    int bottom = 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    double x0 = Double.MAX_VALUE;
    double x1 = -Double.MAX_VALUE;
    double y0 = Double.MAX_VALUE;
    double y1 = -Double.MAX_VALUE;
    java.util.TreeSet<Double> ticks = new java.util.TreeSet<>();
    for (ErrorSeries s : series) {
      for (int i = 0; i < s.x().length; i++) {
        double e = Double.isFinite(s.error()[i]) ? s.error()[i] : 0;
        x0 = Math.min(x0, Math.log10(s.x()[i]));
        x1 = Math.max(x1, Math.log10(s.x()[i]));
        y0 = Math.min(y0, s.mean()[i] - e);
        y1 = Math.max(y1, s.mean()[i] + e);
        ticks.add(s.x()[i]);
      }
    }
    if (x1 <= x0) {
      x0 -= 0.5;
      x1 += 0.5;
    }
    double pad = Math.max(0.5, (y1 - y0) * 0.08);
    y0 -= pad;
    y1 += pad;
    double lx = (x1 - x0) * 0.06;
    x0 -= lx;
    x1 += lx;
    int pw = w - left - right;
    int ph = h - top - bottom;
    final double fx0 = x0;
    final double fx1 = x1;
    final double fy0 = y0;
    final double fy1 = y1;
    java.util.function.DoubleUnaryOperator px = v -> left + pw * (Math.log10(v) - fx0) / (fx1 - fx0);
    java.util.function.DoubleUnaryOperator py = v -> top + ph - ph * (v - fy0) / (fy1 - fy0);
    g.setColor(Color.BLACK);
    g.drawString(title, left, 18);
    g.drawRect(left, top, pw, ph);
    for (int t = 0; t <= 4; t++) {
      double yv = y0 + (y1 - y0) * t / 4;
      int yy = (int) py.applyAsDouble(yv);
      g.setColor(new Color(0xeeeeee));
      g.drawLine(left + 1, yy, left + pw - 1, yy);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%.1f", yv), 8, yy + 4);
    }
    for (double t : ticks) {
      int xx = (int) px.applyAsDouble(t);
      g.setColor(new Color(0xeeeeee));
      g.drawLine(xx, top + 1, xx, top + ph - 1);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%s%%", new java.math.BigDecimal(100 * t).stripTrailingZeros().toPlainString()), xx - 10,
          top + ph + 16);
    }
    g.drawString(xLabel, left + pw / 2 - 40, h - 10);
    g.drawString(yLabel, 4, top - 8);
    g.setStroke(new BasicStroke(1.8f));
    for (int si = 0; si < series.size(); si++) {
      ErrorSeries s = series.get(si);
      g.setColor(PALETTE[si % PALETTE.length]);
      for (int i = 0; i < s.x().length; i++) {
        int xx = (int) px.applyAsDouble(s.x()[i]) + (si - series.size() / 2) * 3; // keep bars apart
        int yy = (int) py.applyAsDouble(s.mean()[i]);
        if (i > 0) {
          g.drawLine((int) px.applyAsDouble(s.x()[i - 1]) + (si - series.size() / 2) * 3,
              (int) py.applyAsDouble(s.mean()[i - 1]), xx, yy);
        }
        g.fillOval(xx - 4, yy - 4, 8, 8);
        if (Double.isFinite(s.error()[i]) && s.error()[i] > 0) {
          int ya = (int) py.applyAsDouble(s.mean()[i] - s.error()[i]);
          int yb = (int) py.applyAsDouble(s.mean()[i] + s.error()[i]);
          g.drawLine(xx, ya, xx, yb);
          g.drawLine(xx - 5, ya, xx + 5, ya);
          g.drawLine(xx - 5, yb, xx + 5, yb);
        }
      }
      g.fillRect(left + pw + 14, top + 10 + 20 * si, 16, 4);
      g.drawString(s.name(), left + pw + 36, top + 16 + 20 * si);
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
