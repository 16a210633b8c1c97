package dev.symmim.pipelines.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.index.SearchOptions;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import org.junit.Test;

/** Help generated from the options, deprecated aliases, booleans alone, typed values, per-command defaults. */
public class HelpTest {
  @Test
  public void commandHelpListsEveryFlagWithTypeDefaultAndDescription() {
    String help = Symmim.help("pretrain");
    assertThat(help, containsString("usage: symmim pretrain --data=<text> --output=<text>"));
    assertThat(help, containsString("--batchSize=<int>  (default 64)"));
    assertThat(help, containsString("--mask=<symmetric|random|block>  (default symmetric)"));
    assertThat(help, containsString("--contrastiveTemperature=<double>  (default 0.2)"));
    assertThat(help, containsString("Deprecated alias: --temperature."));
    assertThat(help, containsString("--data=<text>  (required)"));
    assertThat(help, not(containsString("faultBatches"))); // hidden
  }

  @Test
  public void everyCommandHasHelp() {
    for (String command : Symmim.COMMANDS.keySet()) {
      assertThat(Symmim.help(command), containsString(command));
    }
    assertThrows(IllegalArgumentException.class, () -> Symmim.help("pretrian"));
  }

  @Test
  public void benchListsItsTargetsAndEachTargetsFlags() {
    String targets = Symmim.benchHelp(new String[] {"--help"});
    for (String target : new String[] {"prepare", "pretrain", "embed", "index", "train", "memory"}) {
      assertThat(targets, containsString("  " + target + " "));
    }
    assertThat(Symmim.benchHelp(new String[] {"train", "--help"}), containsString("--against=<text>"));
    assertThat(Symmim.benchHelp(new String[] {"help", "index"}), containsString("usage: symmim bench index"));
    assertThat(Symmim.benchHelp(new String[] {"memory", "--help"}),
        containsString("--sizes=<text>  (default 10000,100000,1000000)"));
    assertThat(Symmim.benchHelp(new String[] {"pretrain", "--help"}), containsString("--batchSize=<int>  (default 64)"));
    assertThrows(IllegalArgumentException.class, () -> Symmim.benchHelp(new String[] {"trian", "--help"}));
  }

  @Test
  public void helpMentionsReplayingARunWithConfig() {
    assertThat(Symmim.help("finetune"), containsString("--config=<file>  the flags recorded by an earlier run of finetune"));
    assertThat(Symmim.usage(), containsString("symmim <command> --config=<run.json>"));
  }

  @Test
  public void commandsDeclareTheirOwnDefaultsForOneFlagName() {
    assertEquals(64, Symmim.parse(new String[0], PretrainOptions.class).getBatchSize());
    assertEquals(256, Symmim.parse(new String[0], EmbedOptions.class).getBatchSize());
    assertEquals(10, Symmim.parse(new String[0], SearchOptions.class).getK());
  }

  @Test
  public void aBooleanFlagAloneMeansTrueAndOthersNeedAValue() {
    assertEquals(true, Symmim.parse(new String[] {"--json"}, SearchOptions.class).getJson());
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Symmim.parse(new String[] {"--k"}, SearchOptions.class)).getMessage(),
        containsString("--k needs a value"));
  }

  @Test
  public void theDeprecatedAliasSetsTheNewFlag() {
    assertEquals(0.3, Symmim.parse(new String[] {"--temperature=0.3"}, PretrainOptions.class)
        .getContrastiveTemperature(), 0);
  }

  @Test
  public void malformedNumbersAreNamed() {
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Symmim.parse(new String[] {"--batchSize=abc"}, PretrainOptions.class)).getMessage(),
        containsString("--batchSize=abc: not an integer"));
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Symmim.parse(new String[] {"--lr=fast"}, PretrainOptions.class)).getMessage(),
        containsString("--lr=fast: not a number"));
  }
}
