using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Tests.Runs;

public sealed class StepPathTests
{
    [Theory]
    [InlineData("reserve", null)]
    [InlineData("ship.makeLabel", "ship")]
    [InlineData("perItem[3].charge", "perItem[3]")]
    [InlineData("perItem[3]", "perItem")]
    [InlineData("poll#2.check", "poll#2")]
    [InlineData("poll#2", "poll")]
    [InlineData("outer[1].inner#2.step", "outer[1].inner#2")]
    [InlineData("outer[1].inner", "outer[1]")]
    public void The_parent_follows_dots_and_iteration_suffixes(string path, string? parent) =>
        Assert.Equal(parent, StepPath.Parent(path));

    [Theory]
    [InlineData("perItem[3]", true, "[3]", 3)]
    [InlineData("poll#12", true, "#12", 12)]
    [InlineData("ship.makeLabel", false, "makeLabel", null)]
    [InlineData("step#x", false, "step#x", null)]
    [InlineData("[3]", false, "[3]", null)]
    public void Iterations_are_recognised_by_their_suffix(string path, bool isIteration, string label, int? index)
    {
        Assert.Equal(isIteration, StepPath.IsIteration(path));
        Assert.Equal(label, StepPath.Label(path));
        Assert.Equal(index, StepPath.IterationIndex(path));
    }
}
