using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansTenancy.Cli.Commands;
using OrleansTenancy.OpenRouter.Simulator;
using Spectre.Console;

namespace OrleansTenancy.Cli.Tests;

/// <summary>
/// One real silo (in-process test server, own temp tenants and data folders, in-process OpenRouter simulator)
/// shared by the CLI tests. Tenants: <c>acme</c> (hard caps, an API key for workspace <c>main</c>), <c>beta</c>
/// (hard caps; the budget tests change it) and <c>broken</c> (a YAML syntax error).
/// </summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public const string AdminKey = "cli-admin-key-0123456789";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tenancy-cli-" + Guid.NewGuid().ToString("N"));
    private SimulatorHost? _simulator;
    private WebApplicationFactory<global::Program>? _factory;

    public string AcmeKey { get; } = "sk-acme-" + Guid.NewGuid().ToString("N");

    public WebApplicationFactory<global::Program> Factory => _factory ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        WriteTenants();
        _simulator = await OpenRouterSimulator.StartAsync();
        _factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(_root, "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", Path.Combine(_root, "data"));
            foreach (var (key, value) in FreePorts.ClusterSettings())
            {
                b.UseSetting(key, value);
            }

            b.UseSetting("Tenancy:AdminKey", AdminKey);
            b.UseSetting("OpenRouter:BaseUrl", _simulator.BaseUrl.ToString());
            b.UseSetting("OpenRouter:ApiKey", "sk-or-simulated");
            b.UseSetting("OpenRouter:MaxRetries", "0");
        });
        _ = _factory.Server;
    }

    /// <summary>Runs <c>tenancy</c> against this silo and returns the exit code and everything it printed.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var (console, output) = CreateConsole();
        using var handler = Factory.Server.CreateHandler();
        var environment = new CliEnvironment(console, name => name switch
        {
            "TENANCY_URL" => Factory.Server.BaseAddress.ToString(),
            "TENANCY_ADMIN_KEY" => AdminKey,
            _ => null,
        }, handler);
        var exitCode = await TenancyCli.RunAsync(args, environment);
        return (exitCode, output.ToString());
    }

    /// <summary>A console that records plain text (no colours, no animation) wide enough that tables do not wrap.</summary>
    public static (IAnsiConsole Console, StringWriter Output) CreateConsole()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 240;
        return (console, output);
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file a moment longer; the folder name is unique per run.
        }
    }

    private void WriteTenants()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AcmeKey)));
        Write("acme/tenant.yaml", $"""
            name: Acme Corp
            timezone: UTC
            workspaces:
              main:
                discord_guild_id: "1098765432109876543"
            api_keys:
              - id: k1
                workspace: main
                sha256: {sha}
            """);
        Write("acme/routing.yaml", """
            allowed_models: [openai/gpt-4o-mini]
            models:
              default: openai/gpt-4o-mini
            """);
        Write("acme/budgets.yaml", """
            daily_cap_usd: 10
            monthly_cap_usd: 100
            enforcement: hard
            """);
        Write("beta/tenant.yaml", """
            name: Beta
            timezone: UTC
            workspaces:
              main:
            """);
        Write("beta/budgets.yaml", """
            daily_cap_usd: 5
            monthly_cap_usd: 50
            enforcement: hard
            """);
        Write("broken/tenant.yaml", "workspaces: [1, 2\n");
        Directory.CreateDirectory(Path.Combine(_root, "data"));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, "tenants", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
