namespace SagaWorkflows.WorkerSdk.Tools;

/// <summary>A tool error with a type the retry policy understands, and optionally when to retry.</summary>
public class ToolException : Exception
{
    public ToolException(string errorType, string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorType = errorType;
        RetryAfter = retryAfter;
    }

    public ToolException() : this("Error", "tool error")
    {
    }

    public ToolException(string message) : this("Error", message)
    {
    }

    public ToolException(string message, Exception inner) : this("Error", message, null, inner)
    {
    }

    /// <summary>Matched against the step's <c>retryOn</c> and <c>nonRetryable</c> lists.</summary>
    public string ErrorType { get; }

    /// <summary>Overrides the policy's next delay (e.g. from an HTTP Retry-After header).</summary>
    public TimeSpan? RetryAfter { get; }
}
