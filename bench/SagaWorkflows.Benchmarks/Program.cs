using SagaWorkflows.Benchmarks;

return await BenchmarkCommand.RunAsync(args);
