using OrleansTenancy.Cli.Commands;

return await TenancyCli.RunAsync(args, CliEnvironment.Process).ConfigureAwait(false);
