using System.Globalization;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>What a <see cref="LocalCluster"/> runs.</summary>
/// <param name="Membership"><c>redis</c> or <c>postgres</c>.</param>
/// <param name="SiloDll">The silo program to run (<c>OrleansTenancy.Silo.dll</c> of the build under test).</param>
/// <param name="TenantsFolder">The tenants folder every silo loads.</param>
/// <param name="Upstream">The OpenRouter (simulator) base URL every silo calls.</param>
public sealed record ClusterSettings(string Membership, string SiloDll, string TenantsFolder, Uri Upstream)
{
    /// <summary>More settings for every silo, as environment variables (e.g. <c>CLUSTER__PROBETIMEOUT</c>).</summary>
    public IReadOnlyDictionary<string, string> SiloEnvironment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A cluster of silo processes run by <c>deploy/local/cluster.sh</c>, exactly as a user runs it, on ports and in a run
/// folder of its own: its own Redis and PostgreSQL servers (so that a test may restart them), silos numbered from 1.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan ScriptPatience = TimeSpan.FromMinutes(4);
    private readonly ClusterSettings _settings;
    private readonly Dictionary<string, string?> _environment;
    private readonly int _httpBase;
    private readonly int _gatewayBase;
    private readonly int _redisPort;
    private readonly int _postgresPort;

    private LocalCluster(ClusterSettings settings)
    {
        _settings = settings;
        var taken = new HashSet<int>();
        _httpBase = PortBlock.FreeBase(6, taken);
        var siloBase = PortBlock.FreeBase(6, taken);
        _gatewayBase = PortBlock.FreeBase(6, taken);
        _redisPort = PortBlock.FreeBase(1, taken) + 1;
        _postgresPort = PortBlock.FreeBase(1, taken) + 1;
        RunFolder = Path.Combine(Path.GetTempPath(), "orleans-tenancy-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(RunFolder);
        _environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["CLUSTER_MEMBERSHIP"] = settings.Membership,
            ["CLUSTER_TENANTS"] = settings.TenantsFolder,
            ["CLUSTER_HTTP_BASE"] = Invariant(_httpBase),
            ["CLUSTER_SILO_PORT_BASE"] = Invariant(siloBase),
            ["CLUSTER_GATEWAY_PORT_BASE"] = Invariant(_gatewayBase),
            ["CLUSTER_REDIS_PORT"] = Invariant(_redisPort),
            ["CLUSTER_POSTGRES_PORT"] = Invariant(_postgresPort),
            ["CLUSTER_POSTGRES_DURABLE"] = "0",
            ["CLUSTER_RUN_DIR"] = RunFolder,
            ["CLUSTER_SILO_DLL"] = settings.SiloDll,
            ["OPENROUTER_BASE_URL"] = settings.Upstream.ToString(),
            ["OPENROUTER_API_KEY"] = "sk-or-cluster-test",
            ["TENANCY__ADMINKEY"] = AdminKey,
            ["TENANCY__WATCHTENANTS"] = "false",

            // Nothing of the test run's own environment may reach the silos.
            ["ASPNETCORE_URLS"] = null,
            ["ENABLE_TENANCY_STRICT"] = null,
            ["ENABLE_INGEST_STRICT"] = null,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        };
        foreach (var (name, value) in settings.SiloEnvironment)
        {
            _environment[name] = value;
        }
    }

    /// <summary>The membership: <c>redis</c> or <c>postgres</c>.</summary>
    public string Membership => _settings.Membership;

    /// <summary>Pids, logs and the servers' data.</summary>
    public string RunFolder { get; }

    /// <summary>The admin key every silo is given.</summary>
    public string AdminKey { get; } = "cluster-admin-" + Guid.NewGuid().ToString("N");

    /// <summary>The database holding grain state, the usage ledger (and with <c>postgres</c> membership, membership).</summary>
    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={_postgresPort};Username=postgres;Database=tenancy;Pooling=false;Timeout=5";

    /// <summary>Creates the cluster's settings and run folder; nothing runs until <see cref="StartAsync"/>.</summary>
    public static LocalCluster Create(ClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new LocalCluster(settings);
    }

    /// <summary>The HTTP address of silo <paramref name="silo"/>.</summary>
    public Uri Silo(int silo) => new($"http://127.0.0.1:{_httpBase + silo}/");

    /// <summary>The Orleans gateway port of silo <paramref name="silo"/>, on 127.0.0.1.</summary>
    public int GatewayPort(int silo) => _gatewayBase + silo;

    /// <summary><c>cluster.sh start <paramref name="silos"/></c>: the servers, then every silo up to that number not running.</summary>
    public Task<string> StartAsync(int silos) => ClusterAsync("start", Invariant(silos));

    /// <summary><c>cluster.sh kill <paramref name="silo"/></c>: SIGKILL.</summary>
    public Task<string> KillAsync(int silo) => ClusterAsync("kill", Invariant(silo));

    /// <summary><c>cluster.sh status</c>.</summary>
    public Task<string> StatusAsync() => ClusterAsync("status");

    /// <summary><c>cluster.sh stop</c>.</summary>
    public Task<string> StopAsync() => ClusterAsync("stop");

    /// <summary>Stops the cluster's Redis server and starts it again on the same data (what <c>cluster.sh</c> runs).</summary>
    public async Task RestartRedisAsync()
    {
        var environment = new Dictionary<string, string?> { ["REDIS_PORT"] = Invariant(_redisPort), ["REDIS_DIR"] = Path.Combine(RunFolder, "redis") };
        await ScriptAsync("deploy/redis.sh", ["stop"], environment);
        await ScriptAsync("deploy/redis.sh", ["start"], environment);
    }

    /// <summary>Stops the cluster's PostgreSQL server (fast shutdown) and starts it again on the same data.</summary>
    public async Task RestartPostgresAsync()
    {
        var environment = new Dictionary<string, string?>
        {
            ["PGPORT"] = Invariant(_postgresPort),
            ["PGDATA"] = Path.Combine(RunFolder, "postgres"),
            ["PGDURABLE"] = "0",
        };
        await ScriptAsync("deploy/postgres.sh", ["stop"], environment);
        await ScriptAsync("deploy/postgres.sh", ["start"], environment);
    }

    /// <summary>The last lines silo <paramref name="silo"/> logged, for a failure message.</summary>
    public string LogTail(int silo, int lines = 40)
    {
        var log = Path.Combine(RunFolder, $"silo-{silo}.log");
        return File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(lines)) : $"(no log at {log})";
    }

    /// <summary>Stops everything and removes the run folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(RunFolder, recursive: true);
            }
            catch (IOException)
            {
                // A server still writing its last file: the folder is under the temporary folder and harmless.
            }
        }
    }

    private Task<string> ClusterAsync(params string[] arguments) => ScriptAsync("deploy/local/cluster.sh", arguments, _environment);

    private static async Task<string> ScriptAsync(string script, string[] arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var run = await ScriptRun.RunAsync(Path.Combine(RepositoryRoot.Find(), script), arguments, environment, ScriptPatience);
        return run.ExitCode == 0
            ? run.Output
            : throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} exited with {run.ExitCode}:\n{run.Output}");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
