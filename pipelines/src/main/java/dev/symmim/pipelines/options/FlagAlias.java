package dev.symmim.pipelines.options;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Old names of a flag, still accepted with a deprecation warning: the command line rewrites
 * {@code --<alias>=v} to the getter's own flag name before parsing.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface FlagAlias {
  String[] value();
}
