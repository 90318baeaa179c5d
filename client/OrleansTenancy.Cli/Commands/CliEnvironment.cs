using System.Net;
using OrleansTenancy.Cli.Rendering;
using Spectre.Console;

namespace OrleansTenancy.Cli.Commands;

/// <summary>What the CLI runs against: where data and messages go, how it reads environment variables and how it sends HTTP.</summary>
/// <param name="Out">Standard output: tables, JSON and help, nothing else.</param>
/// <param name="Error">Standard error: errors, hints and the progress display.</param>
/// <param name="GetVariable">Reads an environment variable (<c>TENANCY_URL</c>, <c>TENANCY_ADMIN_KEY</c>, <c>NO_COLOR</c>).</param>
/// <param name="Handler">The HTTP handler to use, or <see langword="null"/> for a default socket handler.</param>
public sealed record CliEnvironment(IAnsiConsole Out, IAnsiConsole Error, Func<string, string?> GetVariable, HttpMessageHandler? Handler = null)
{
    /// <summary>The process's standard output and error (each plain when it is not a terminal) and its environment.</summary>
    public static CliEnvironment Process => ForWriters(
        Console.Out, !Console.IsOutputRedirected, Console.Error, !Console.IsErrorRedirected, Environment.GetEnvironmentVariable);

    /// <summary>An environment over two writers, each treated as a terminal or not.</summary>
    /// <param name="output">Standard output.</param>
    /// <param name="outputIsTerminal">Whether <paramref name="output"/> is a terminal.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is a terminal.</param>
    /// <param name="getVariable">Reads environment variables.</param>
    /// <param name="handler">The HTTP handler to use, or <see langword="null"/> for a default socket handler.</param>
    public static CliEnvironment ForWriters(
        TextWriter output, bool outputIsTerminal, TextWriter error, bool errorIsTerminal, Func<string, string?> getVariable, HttpMessageHandler? handler = null) =>
        new(CliConsole.Create(output, outputIsTerminal, getVariable), CliConsole.Create(error, errorIsTerminal, getVariable), getVariable, handler);
}

/// <summary>
/// The process exit codes of <c>tenancy</c>; each failure has its own so that scripts can tell a typo from a silo that
/// is down or a tenant that does not exist.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Ok = 0;

    /// <summary>The silo refused the request as invalid or conflicting (HTTP 4xx other than 401, 403 and 404); its reason is printed.</summary>
    public const int Refused = 1;

    /// <summary>The command line was wrong; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The silo could not be reached (connection refused, name not resolved, timeout).</summary>
    public const int Unreachable = 3;

    /// <summary>The silo does not know the tenant (HTTP 404).</summary>
    public const int NotFound = 4;

    /// <summary>The admin key is missing or wrong (HTTP 401 or 403).</summary>
    public const int Unauthorized = 5;

    /// <summary>The silo failed (HTTP 5xx) or answered with something that is not its admin API.</summary>
    public const int SiloFailed = 6;

    /// <summary>The exit code for an HTTP error status from the silo.</summary>
    public static int ForStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound => NotFound,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Unauthorized,
        >= HttpStatusCode.InternalServerError => SiloFailed,
        _ => Refused,
    };
}
