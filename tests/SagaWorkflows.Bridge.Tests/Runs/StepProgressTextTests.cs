using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Tests.Runs;

/// <summary><see cref="StepProgressText"/>: deltas placed by offset, repeats ignored, a new attempt starting over, gaps counted.</summary>
public sealed class StepProgressTextTests
{
    [Fact]
    public void Deltas_in_order_make_the_text()
    {
        var text = new StepProgressText();

        Assert.Equal(StepProgressOutcome.Appended, text.Apply(Progress("s", 1, 0, "Hello, ")));
        Assert.Equal(StepProgressOutcome.Appended, text.Apply(Progress("s", 1, 7, "world")));

        Assert.Equal("Hello, world", text.Text("s"));
        Assert.Equal(0, text.Missed("s"));
        Assert.Null(text.Text("other"));
    }

    [Fact]
    public void A_repeated_delta_is_ignored_and_an_overlapping_one_adds_only_what_is_new()
    {
        var text = new StepProgressText();
        text.Apply(Progress("s", 1, 0, "abc"));

        Assert.Equal(StepProgressOutcome.Ignored, text.Apply(Progress("s", 1, 0, "abc")));
        Assert.Equal(StepProgressOutcome.Appended, text.Apply(Progress("s", 1, 2, "cde")));
        Assert.Equal("abcde", text.Text("s"));
    }

    [Fact]
    public void Missed_text_is_counted_and_the_rest_still_appended()
    {
        var text = new StepProgressText();

        // Joined late: the first 5 characters went by before this reader listened.
        Assert.Equal(StepProgressOutcome.AppendedAfterGap, text.Apply(Progress("s", 1, 5, "fgh")));
        Assert.Equal(StepProgressOutcome.AppendedAfterGap, text.Apply(Progress("s", 1, 10, "kl")));

        Assert.Equal("fghkl", text.Text("s"));
        Assert.Equal(7, text.Missed("s"));
    }

    [Fact]
    public void A_new_attempt_starts_over_and_late_progress_of_the_old_one_is_ignored()
    {
        var text = new StepProgressText();
        text.Apply(Progress("s", 1, 0, "first try"));

        Assert.Equal(StepProgressOutcome.Appended, text.Apply(Progress("s", 2, 0, "second")));
        Assert.Equal(StepProgressOutcome.Ignored, text.Apply(Progress("s", 1, 9, " goes on")));

        Assert.Equal("second", text.Text("s"));
        Assert.Equal(2, text.Attempt("s"));
        Assert.True(text.Remove("s"));
        Assert.Null(text.Text("s"));
    }

    private static StepProgress Progress(string path, int attempt, int offset, string delta) =>
        new() { RunId = Guid.Empty, Path = path, StepId = path, Attempt = attempt, Offset = offset, Delta = delta };
}
