using Spectre.Console;

namespace OrleansTenancy.Cli.Commands;

/// <summary>What the CLI runs against: the console it writes to, how it reads environment variables and how it sends HTTP.</summary>
/// <param name="Console">Where tables and messages go.</param>
/// <param name="GetVariable">Reads an environment variable (<c>TENANCY_URL</c>, <c>TENANCY_ADMIN_KEY</c>).</param>
/// <param name="Handler">The HTTP handler to use, or <see langword="null"/> for a default socket handler.</param>
public sealed record CliEnvironment(IAnsiConsole Console, Func<string, string?> GetVariable, HttpMessageHandler? Handler = null)
{
    /// <summary>The real console and process environment.</summary>
    public static CliEnvironment Process => new(AnsiConsole.Console, Environment.GetEnvironmentVariable);
}

/// <summary>The process exit codes of <c>tenancy</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Ok = 0;

    /// <summary>The silo refused the request (its ProblemDetails title and detail are printed).</summary>
    public const int Refused = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>The silo could not be reached.</summary>
    public const int Unreachable = 3;
}
