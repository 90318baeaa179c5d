using System.CommandLine;
using OrleansTenancy.Cli.Client;
using Spectre.Console;

namespace OrleansTenancy.Cli.Commands;

/// <summary>The <c>tenancy</c> command line: parses arguments, calls the silo's admin API and renders the answer.</summary>
public static partial class TenancyCli
{
    /// <summary>The silo address used when neither <c>--url</c> nor <c>TENANCY_URL</c> is given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Runs one command line and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var root = BuildRoot(environment);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                environment.Console.MarkupLine($"[red]{Markup.Escape(error.Message)}[/]");
            }

            environment.Console.MarkupLine("Run [bold]tenancy --help[/] (or [bold]tenancy <command> --help[/]) for usage.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the command tree; actions write to <paramref name="environment"/>'s console.</summary>
    public static RootCommand BuildRoot(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var globals = new GlobalOptions(environment);
        var root = new RootCommand("Operate an OrleansTenancy silo over its HTTP admin API.")
        {
            globals.Url, globals.AdminKey, globals.Json,
        };
        root.Add(TenantsCommand(globals));
        root.Add(ReloadCommand(globals));
        root.Add(BudgetCommand(globals));
        root.Add(UsageCommand(globals));
        root.Add(ExecutionsCommand(globals));
        root.Add(ReconcileCommand(globals));
        root.Add(HealthCommand(globals));
        return root;
    }

    /// <summary>Options every command accepts, and the shared run loop that maps failures to exit codes.</summary>
    private sealed class GlobalOptions(CliEnvironment environment)
    {
        public CliEnvironment Environment { get; } = environment;

        public IAnsiConsole Console => Environment.Console;

        public Option<string> Url { get; } = new("--url")
        {
            Description = $"The silo's base URL (env TENANCY_URL; default {DefaultUrl}).",
            Recursive = true,
            DefaultValueFactory = _ => environment.GetVariable("TENANCY_URL") is { Length: > 0 } url ? url : DefaultUrl,
        };

        public Option<string?> AdminKey { get; } = new("--admin-key")
        {
            Description = "The silo's admin key, sent as a bearer token (env TENANCY_ADMIN_KEY).",
            Recursive = true,
            DefaultValueFactory = _ => environment.GetVariable("TENANCY_ADMIN_KEY") is { Length: > 0 } key ? key : null,
        };

        public Option<bool> Json { get; } = new("--json")
        {
            Description = "Print the silo's JSON instead of tables.",
            Recursive = true,
        };

        /// <summary>Creates the client, runs <paramref name="body"/> and turns failures into messages and exit codes.</summary>
        public async Task<int> RunAsync(ParseResult parsed, Func<TenancyAdminClient, bool, Task> body, CancellationToken cancellationToken)
        {
            var url = parsed.GetValue(Url) ?? DefaultUrl;
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseAddress)
                || baseAddress.Scheme is not ("http" or "https"))
            {
                Console.MarkupLine($"[red]--url '{Markup.Escape(url)}' is not an http(s) URL[/]; use e.g. --url {DefaultUrl} or set TENANCY_URL.");
                return ExitCodes.Usage;
            }

            using var http = Environment.Handler is { } handler
                ? new HttpClient(handler, disposeHandler: false)
                : new HttpClient();
            http.BaseAddress = baseAddress;
            http.Timeout = TimeSpan.FromSeconds(30);
            var client = new TenancyAdminClient(http, parsed.GetValue(AdminKey));
            try
            {
                await body(client, parsed.GetValue(Json)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (CliUsageException error)
            {
                Console.MarkupLine($"[red]{Markup.Escape(error.Message)}[/]");
                return ExitCodes.Usage;
            }
            catch (TenancyAdminException error)
            {
                Console.MarkupLine($"[red]Refused ({(int)error.Status}): {Markup.Escape(error.Title)}[/]");
                if (error.Detail is not null)
                {
                    Console.MarkupLine(Markup.Escape(error.Detail));
                }

                if (error.Status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
                {
                    Console.MarkupLine("Pass the silo's admin key with [bold]--admin-key[/] or TENANCY_ADMIN_KEY.");
                }

                return ExitCodes.Refused;
            }
            catch (TenancyUnreachableException error)
            {
                Console.MarkupLine($"[red]Cannot reach the silo at {Markup.Escape(baseAddress.ToString())}[/] ({Markup.Escape(error.InnerException?.Message ?? error.Message)}).");
                Console.MarkupLine("Start one with [bold]dotnet run --project silo[/], or point [bold]--url[/] / TENANCY_URL at a running silo.");
                return ExitCodes.Unreachable;
            }
        }
    }
}

/// <summary>A command line that parsed but does not make sense (e.g. <c>--period</c> together with <c>--from</c>).</summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliUsageException()
    {
    }

    /// <summary>Creates the exception with the message shown to the operator.</summary>
    public CliUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
