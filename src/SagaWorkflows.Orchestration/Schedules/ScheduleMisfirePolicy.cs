namespace SagaWorkflows.Orchestration.Schedules;

/// <summary>
/// What a schedule does with fires it missed by more than the scheduler's misfire threshold
/// (<c>SagaWorkflows:Orchestrator:ScheduleMisfireThreshold</c>), typically because no orchestrator ran. A fire late by less
/// than the threshold is not a misfire: it starts its run, late, whatever the policy. Fixed per schedule when it is added.
/// </summary>
public enum ScheduleMisfirePolicy
{
    /// <summary>One run starts at once for all the missed fires, then the schedule goes on at its next time.</summary>
    FireOnceNow,

    /// <summary>The missed fires start nothing; the schedule goes on at its next time.</summary>
    Skip,

    /// <summary>Every missed fire starts its own run, one after another, as soon as possible (a long outage of a frequent schedule starts many).</summary>
    FireEach,
}
