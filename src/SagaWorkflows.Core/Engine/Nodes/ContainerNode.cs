namespace SagaWorkflows.Core.Engine.Nodes;

internal static class ContainerNode
{
    /// <summary>Timers and resume reach every node; other events are for exactly one.</summary>
    public static bool IsBroadcast(RunEvent @event) => @event is TimerElapsed or ResumeRequested;
}
