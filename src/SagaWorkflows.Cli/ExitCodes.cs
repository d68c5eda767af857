namespace SagaWorkflows.Cli;

/// <summary>
/// What <c>sagawf</c> returns, so scripts can tell a bad definition from a broker that is down or a
/// run that failed. Listed in the root command's help.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Missing or unreadable file, malformed JSON, invalid definition, input or payload.</summary>
    public const int InvalidInput = 1;

    /// <summary>Unknown verb or option, missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>RabbitMQ or the bridge could not be reached (or the event stream was lost for good).</summary>
    public const int Unreachable = 3;

    /// <summary>The bridge does not know the run (or the orchestrator the schedule).</summary>
    public const int UnknownRun = 4;

    /// <summary>The watched run ended with <c>workflow-error</c>.</summary>
    public const int RunFailed = 5;

    /// <summary>The watched run ended with <c>workflow-cancelled</c>.</summary>
    public const int RunCancelled = 6;

    /// <summary>RabbitMQ had no queue for the command: no orchestrator ever ran against that broker and vhost.</summary>
    public const int NotDelivered = 7;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public const string HelpText = """
        Exit codes:
          0  success (valid definition, command sent, watched run completed)
          1  invalid input: missing file, malformed JSON, invalid definition, input or payload
          2  usage error: unknown verb or option, missing or malformed argument
          3  RabbitMQ or the bridge could not be reached
          4  unknown run or schedule (the bridge has no such run, the orchestrator no such schedule)
          5  the watched run failed (workflow-error)
          6  the watched run was cancelled (workflow-cancelled)
          7  nothing receives the command: no orchestrator has run against that broker and vhost
        """;
}
