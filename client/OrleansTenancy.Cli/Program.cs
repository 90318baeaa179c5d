using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli;

/// <summary>Entry point of <c>tenancy</c>; namespaced so that it never collides with the silo's <c>Program</c> in tests that host both.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => TenancyCli.RunAsync(args, CliEnvironment.Process);
}
