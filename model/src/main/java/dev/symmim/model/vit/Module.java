package dev.symmim.model.vit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A piece of network holding parameters and sub-modules, like {@code torch.nn.Module} but without
 * hooks or buffers magic: {@link #parameters()} lists own parameters first, then children's, in
 * registration order, which is the order used by the optimizer and checkpoints.
 */
public abstract class Module {
  private final List<Parameter> own = new ArrayList<>();
  private final List<Module> children = new ArrayList<>();

  protected final Parameter register(Parameter p) {
    own.add(p);
    return p;
  }

  protected final <M extends Module> M register(M child) {
    children.add(child);
    return child;
  }

  public final List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>(own);
    for (Module c : children) {
      all.addAll(c.parameters());
    }
    return Collections.unmodifiableList(all);
  }

  public final long parameterCount() {
    long n = 0;
    for (Parameter p : parameters()) {
      n += p.size();
    }
    return n;
  }
}
