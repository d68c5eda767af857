using SagaWorkflows.Cli;

return await CliApp.RunAsync(args);
