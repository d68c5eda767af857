namespace SagaWorkflows.Cli;

/// <summary>
/// A failure the user can act on: printed as a one-line error plus an optional hint, never as a stack
/// trace, and mapped to one of <see cref="ExitCodes"/>.
/// </summary>
public sealed class CliException : Exception
{
    public CliException(int exitCode, string message, string? hint = null, IReadOnlyList<string>? details = null)
        : base(message)
    {
        ExitCode = exitCode;
        Hint = hint;
        Details = details ?? [];
    }

    public CliException()
        : this(ExitCodes.InvalidInput, "error")
    {
    }

    public CliException(string message)
        : this(ExitCodes.InvalidInput, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.InvalidInput;
        Details = [];
    }

    public int ExitCode { get; }

    /// <summary>How to fix it, e.g. the command that starts the missing service.</summary>
    public string? Hint { get; }

    /// <summary>Lines printed under the message, e.g. every validation problem.</summary>
    public IReadOnlyList<string> Details { get; }
}
