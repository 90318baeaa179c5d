using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Rendering;
using Spectre.Console;

namespace OrleansTenancy.Cli.Commands;

/// <summary>
/// The <c>tenancy</c> command line: parses arguments, calls the silo's admin API and renders the answer. Data (tables,
/// JSON, help) goes to standard output and everything else (errors, hints, progress) to standard error.
/// </summary>
public static partial class TenancyCli
{
    /// <summary>The silo address used when neither <c>--url</c> nor <c>TENANCY_URL</c> is given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The name the tool is installed and documented under.</summary>
    public const string ToolName = "tenancy";

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
                environment.Error.MarkupLine($"[red]{Markup.Escape(error.Message)}[/]");
            }

            environment.Error.MarkupLine($"Run [bold]{Markup.Escape(CommandPath(parsed))} --help[/] for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = environment.Out.Profile.Out.Writer,
            Error = environment.Error.Profile.Out.Writer,
            EnableDefaultExceptionHandler = false,
        };
        return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the command tree; actions write to <paramref name="environment"/>'s consoles.</summary>
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
        root.Add(ClusterCommand(globals));
        return root;
    }

    /// <summary>"tenancy budget set" for a parse that reached <c>budget set</c>: the command to ask for help.</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result.Parent is CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        names.Insert(0, ToolName);
        return string.Join(' ', names);
    }

    /// <summary>What one command sends and how it shows the answer.</summary>
    /// <typeparam name="T">The answer's type.</typeparam>
    /// <param name="Activity">What the progress display says while waiting, e.g. "Reconciling acme".</param>
    /// <param name="Call">Sends the request(s); may update the progress line.</param>
    /// <param name="Render">Writes the answer as tables to standard output (not used with <c>--json</c>).</param>
    private sealed record CliRequest<T>(
        string Activity,
        Func<TenancyAdminClient, Action<string>, CancellationToken, Task<AdminResponse<T>>> Call,
        Action<IAnsiConsole, T> Render);

    /// <summary>Options every command accepts, and the shared run loop that maps failures to messages and exit codes.</summary>
    private sealed class GlobalOptions(CliEnvironment environment)
    {
        private IAnsiConsole Out => environment.Out;

        private IAnsiConsole Error => environment.Error;

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
            Description = "Print the silo's JSON (snake_case, the admin API's field names) instead of tables.",
            Recursive = true,
        };

        /// <summary>Makes <paramref name="command"/> run the request <paramref name="plan"/> builds from its parsed arguments.</summary>
        public void Run<T>(Command command, Func<ParseResult, CliRequest<T>> plan) =>
            command.SetAction((parsed, ct) => RunAsync(parsed, plan, ct));

        private async Task<int> RunAsync<T>(ParseResult parsed, Func<ParseResult, CliRequest<T>> plan, CancellationToken cancellationToken)
        {
            var url = parsed.GetValue(Url) ?? DefaultUrl;
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseAddress)
                || baseAddress.Scheme is not ("http" or "https"))
            {
                Error.MarkupLine($"[red]--url '{Markup.Escape(url)}' is not an http(s) URL[/]; use e.g. --url {DefaultUrl} or set TENANCY_URL.");
                return ExitCodes.Usage;
            }

            using var http = environment.Handler is { } handler
                ? new HttpClient(handler, disposeHandler: false)
                : new HttpClient();
            http.BaseAddress = baseAddress;
            http.Timeout = TimeSpan.FromSeconds(30);
            var client = new TenancyAdminClient(http, parsed.GetValue(AdminKey));
            try
            {
                var request = plan(parsed);
                var response = await CliProgress.RunAsync(Error, request.Activity, report => request.Call(client, report, cancellationToken)).ConfigureAwait(false);
                if (parsed.GetValue(Json))
                {
                    // The raw writer: JSON is never styled or wrapped by the console.
                    Out.Profile.Out.Writer.WriteLine(response.Json);
                }
                else
                {
                    request.Render(Out, response.Value);
                }

                return ExitCodes.Ok;
            }
            catch (CliUsageException error)
            {
                Error.MarkupLine($"[red]{Markup.Escape(error.Message)}[/]");
                return ExitCodes.Usage;
            }
            catch (TenancyAdminException error)
            {
                var verdict = error.Status >= HttpStatusCode.InternalServerError ? "Silo error" : "Refused";
                Error.MarkupLine($"[red]{verdict} ({(int)error.Status}): {Markup.Escape(error.Title)}[/]");
                if (error.Detail is not null)
                {
                    Error.WriteLine(error.Detail);
                }

                if (error.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    Error.MarkupLine("Pass the silo's admin key with [bold]--admin-key[/] or TENANCY_ADMIN_KEY.");
                }

                return ExitCodes.ForStatus(error.Status);
            }
            catch (TenancyUnreachableException error)
            {
                Error.MarkupLine($"[red]Cannot reach the silo at {Markup.Escape(baseAddress.ToString())}[/] ({Markup.Escape(error.InnerException?.Message ?? error.Message)}).");
                Error.MarkupLine("Start one with [bold]dotnet run --project silo[/], or point [bold]--url[/] / TENANCY_URL at a running silo.");
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
