using System.Reflection;
using System.Text.Json.Nodes;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Tests.Runs;

/// <summary>Every golden fixture through the one projection; the browser test runs the same ones through the page.</summary>
public sealed class ProjectionFixtureTests
{
    public static TheoryData<string> Names() => [.. ProjectionFixture.All().Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void The_events_fold_into_the_expected_snapshot(string name)
    {
        var fixture = Load(name);
        var actual = ProjectionFixture.ToJson(RunProjection.Project(fixture.Events));

        if (ProjectionFixture.Updating)
        {
            fixture.Save(actual);
            return;
        }

        Assert.True(fixture.Snapshot is not null, $"{name}: no expected snapshot; run with SAGAWF_UPDATE_FIXTURES=1 and review it");
        Assert.True(JsonNode.DeepEquals(fixture.Snapshot, actual),
            $"{name}: the snapshot differs from the fixture's. Actual:\n{actual.ToJsonString(new() { WriteIndented = true })}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Order_and_repeats_do_not_change_the_snapshot(string name)
    {
        var fixture = Load(name);
        var inOrder = fixture.Events.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence).ToList();
        var backwardsTwice = inOrder.AsEnumerable().Reverse().Concat(inOrder.AsEnumerable().Reverse()).ToList();

        var expected = ProjectionFixture.ToJson(RunProjection.Project(inOrder));
        var actual = ProjectionFixture.ToJson(RunProjection.Project(backwardsTwice));

        Assert.True(JsonNode.DeepEquals(expected, actual), $"{name}: folding backwards, twice, gave\n{actual}\ninstead of\n{expected}");
    }

    [Fact]
    public void The_fixtures_cover_every_lifecycle_event_type_and_node_type()
    {
        var fixtures = ProjectionFixture.All();
        var eventTypes = typeof(LifecycleEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        var seen = fixtures.SelectMany(f => f.Events).Select(e => e.Type).Distinct();
        Assert.Equal(eventTypes.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));

        var stepTypes = fixtures.SelectMany(f => f.Events).Select(e => e.StepType).OfType<string>().ToHashSet();
        Assert.Superset(stepTypes, new HashSet<string> { "tool", "ai", "parallel", "foreach", "loop", "branch", "wait", "sleep" });
    }

    private static ProjectionFixture Load(string name) => ProjectionFixture.Load(Path.Combine(ProjectionFixture.Directory, name + ".json"));
}
