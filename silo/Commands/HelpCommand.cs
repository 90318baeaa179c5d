namespace OrleansTenancy.Silo.Commands;

/// <summary><c>--help</c> (also <c>-h</c>, <c>-?</c>, <c>help</c>): prints the usage and exits 0 without starting anything.</summary>
public static class HelpCommand
{
    /// <summary>The usage text: commands, options and environment variables.</summary>
    public const string Usage = """
        OrleansTenancy silo: an OpenAI-compatible gateway that reserves every LLM call against its tenant's budget.

        Usage:
          dotnet run --project silo -- [options]          run the silo (or: dotnet OrleansTenancy.Silo.dll [options])
          dotnet run --project silo -- validate-tenants <dir>
                                                          check a tenants folder, print every problem, exit 1 on errors
          dotnet run --project silo -- --help             print this text and exit

        Options (every setting of the README can also be given as --Section:Key <value>):
          --urls <url>                        where HTTP is served (default http://127.0.0.1:8080)
          --tenants <dir>                     the tenants folder (Tenancy:TenantsPath, default ./tenants)
          --Tenancy:DataDirectory <dir>       SQLite storage, usage ledger, lock file and tenant claims (default ./data);
                                              one silo per data directory
          --Cluster:SiloPort <n>, --Cluster:GatewayPort <n>
                                              Orleans' ports (default 11111 and 30000; a second silo on this
                                              machine needs its own)
          --Tenancy:AdminKey <key>            key for /admin, /metrics and the dashboard (without one: loopback only)
          --Tenancy:Strict true|false         refuse calls that name no tenant (unset: the environment decides)
          --Tenancy:AnonymousCallers local|any
                                              who may call without credentials as default:main (default local)
          --Tenancy:MaxTenantFileBytes <n>    largest tenant file read (default 1048576)
          --Tenancy:MaxWorkspacesPerTenant <n>
                                              most workspaces per tenant (default 1000)

        Environment variables:
          ENABLE_TENANCY_STRICT=1, ENABLE_INGEST_STRICT=1
                                              strict mode when Tenancy:Strict is not set (1, true, yes or on)
          TENANCY__ADMINKEY=<key>             the admin key; any setting works the same way (TENANCY__DATADIRECTORY, ...)
          OPENROUTER_API_KEY, OPENROUTER_BASE_URL
                                              the upstream; with neither, the built-in OpenRouter simulator answers
          OTEL_EXPORTER_OTLP_ENDPOINT         export metrics and traces over OTLP
          ASPNETCORE_URLS                     where HTTP is served, when --urls is not given

        Settings are read from appsettings.json beside the program, then the environment, then the command line
        (later wins). The README lists every setting, limit and endpoint.
        """;

    private static readonly string[] Switches = ["--help", "-h", "-?"];

    /// <summary>Prints <see cref="Usage"/> when <paramref name="args"/> ask for help; otherwise returns <see langword="false"/>.</summary>
    public static bool TryRun(string[] args, TextWriter output, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        exitCode = 0;
        if (!(args is ["help", ..] || args.Any(a => Switches.Contains(a, StringComparer.Ordinal))))
        {
            return false;
        }

        output.Write(Usage);
        output.WriteLine();
        return true;
    }
}
