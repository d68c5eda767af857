using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using T = SagaWorkflows.Contracts.LifecycleEventTypes;

namespace SagaWorkflows.Bridge.Tests.Storage;

/// <summary>The store's ordering and idempotency, called directly (no bus).</summary>
public sealed class BridgeEventStoreTests : IAsyncLifetime
{
    private BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync();

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    [Fact]
    public async Task Held_events_are_released_together_when_the_gap_fills()
    {
        var store = _bridge.Store;
        var run = new TestRun();
        var ct = CancellationToken.None;

        Assert.Equal(AppendOutcome.Held, await store.AppendAsync(run.Event(3, T.StepComplete, "a", 1), ct));
        Assert.Equal(AppendOutcome.Held, await store.AppendAsync(run.Event(2, T.StepStart, "a", 1), ct));
        Assert.Empty(await store.ReadRunAsync(run.RunId, 0, 100, ct));
        Assert.Equal(AppendOutcome.Released, await store.AppendAsync(run.Event(1, T.WorkflowStart), ct));

        var released = await store.ReadRunAsync(run.RunId, 0, 100, ct);
        Assert.Equal([1L, 2, 3], released.Select(e => e.Sequence));
        Assert.Equal([1L, 2, 3], released.Select(e => e.Position)); // positions follow the release order
        Assert.Equal(3, (await store.FindRunAsync(run.RunId, ct))!.DeliveredSequence);
    }

    [Fact]
    public async Task A_duplicate_released_or_held_is_recognised_and_changes_nothing()
    {
        var store = _bridge.Store;
        var run = new TestRun();
        var ct = CancellationToken.None;
        await store.AppendAsync(run.Event(1, T.WorkflowStart), ct);
        await store.AppendAsync(run.Event(3, T.StepComplete, "a", 1), ct);

        Assert.Equal(AppendOutcome.Duplicate, await store.AppendAsync(run.Event(1, T.WorkflowStart), ct));
        Assert.Equal(AppendOutcome.Duplicate, await store.AppendAsync(run.Event(3, T.StepComplete, "a", 1), ct));
        Assert.Equal(1, await store.GetLastPositionAsync());
        Assert.Equal(1, await store.CountHeldAsync(run.RunId, ct));
    }

    [Fact]
    public async Task Events_without_a_usable_sequence_are_ignored()
    {
        var run = new TestRun();

        var outcome = await _bridge.Store.AppendAsync(run.Event(0, T.WorkflowStart), CancellationToken.None);

        Assert.Equal(AppendOutcome.Ignored, outcome);
        Assert.Null(await _bridge.Store.FindRunAsync(run.RunId, CancellationToken.None));
    }

    [Fact]
    public async Task A_restarted_bridge_continues_positions_where_the_database_left_off()
    {
        var run = new TestRun();
        var path = TestPaths.NewDatabase();
        try
        {
            await using (var first = await BridgeServer.StartAsync(databasePath: path))
            {
                await first.Store.AppendAsync(run.Event(1, T.WorkflowStart), CancellationToken.None);
            }

            await using var second = await BridgeServer.StartAsync(databasePath: path);
            await second.Store.AppendAsync(run.Event(2, T.StepStart, "a", 1), CancellationToken.None);

            Assert.Equal(2, await second.Store.GetLastPositionAsync());
            Assert.Equal([1L, 2], (await second.Store.ReadAllAsync(0, 10, CancellationToken.None)).Select(e => e.Position));
        }
        finally
        {
            TestPaths.DeleteDatabase(path);
        }
    }
}
