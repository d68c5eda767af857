namespace SagaWorkflows.Bridge.Storage;

/// <summary>A run started through this bridge and what it was started with, so a repeated runId can be told apart.</summary>
public sealed class StartRequestRecord
{
    public Guid RunId { get; set; }

    /// <summary><see cref="Api.StartRunRequest.Fingerprint"/> of the first start under this runId.</summary>
    public string Fingerprint { get; set; } = "";
}

/// <summary>What a <c>POST /runs</c> with a given runId meets.</summary>
public enum StartRecordOutcome
{
    /// <summary>A new run: recorded.</summary>
    New,

    /// <summary>The same start again (a retry): answered as the first was.</summary>
    Repeated,

    /// <summary>Another start under that runId, through this bridge.</summary>
    DifferentStart,

    /// <summary>The bridge already has events of that run, started elsewhere (the CLI, another bridge).</summary>
    StartedElsewhere,
}
