namespace SagaWorkflows.TestKit;

/// <summary>
/// A run did not do what the test expected (it failed, did not finish in time, lacks an event): the message says what,
/// with the run's events and the state of the clock. Any test framework reports it as a failure.
/// </summary>
public sealed class WorkflowTestException : Exception
{
    public WorkflowTestException()
    {
    }

    public WorkflowTestException(string message) : base(message)
    {
    }

    public WorkflowTestException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
