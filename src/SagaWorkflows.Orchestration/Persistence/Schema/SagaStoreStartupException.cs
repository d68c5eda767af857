namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// The saga store cannot be opened: a wrong connection string, an unreachable server, a missing database, a schema
/// newer than this release. The message is one line naming what is wrong; hosts print it and exit non-zero.
/// </summary>
public sealed class SagaStoreStartupException(string message, Exception? inner = null) : Exception(message, inner);
