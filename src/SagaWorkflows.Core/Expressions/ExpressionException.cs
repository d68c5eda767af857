namespace SagaWorkflows.Core.Expressions;

/// <summary>An expression of a definition failed: a syntax error, a thrown error, or a sandbox limit.</summary>
public sealed class ExpressionException : Exception
{
    public ExpressionException(string expression, string reason, Exception? inner = null)
        : base($"expression `{expression}` failed: {reason}", inner)
    {
        Expression = expression;
        Reason = reason;
    }

    public ExpressionException()
    {
        Expression = "";
        Reason = "";
    }

    public ExpressionException(string message) : base(message)
    {
        Expression = "";
        Reason = message;
    }

    public ExpressionException(string message, Exception inner) : base(message, inner)
    {
        Expression = "";
        Reason = message;
    }

    public string Expression { get; }
    public string Reason { get; }
}
