namespace SagaWorkflows.Bridge.Storage;

/// <summary>What storing one received lifecycle event did.</summary>
public enum AppendOutcome
{
    /// <summary>Stored and streamed, with any held events it made contiguous.</summary>
    Released,

    /// <summary>Stored, waiting for an earlier sequence of its run.</summary>
    Held,

    /// <summary>Already stored: nothing changed.</summary>
    Duplicate,

    /// <summary>Not a usable event (no run id, no type, sequence below 1): dropped with a warning.</summary>
    Ignored,
}
