using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.TestSupport;

/// <summary>
/// A fresh PostgreSQL database for one test class on the local test server that <c>deploy/postgres.sh</c>
/// runs (127.0.0.1:55432 unless <c>TENANCY_PG_PORT</c> says otherwise). The server is started when it is not
/// reachable; the database is dropped afterwards. Set <c>TENANCY_SKIP_POSTGRES=1</c> to skip PostgreSQL
/// tests explicitly; otherwise an unreachable server fails them.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);

    public static bool Skipped => Environment.GetEnvironmentVariable("TENANCY_SKIP_POSTGRES") == "1";

    private const string DefaultPort = "55432";

    private static string Port => Environment.GetEnvironmentVariable("TENANCY_PG_PORT") ?? DefaultPort;

    private static string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    public string DatabaseName { get; } = "tenancy_test_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The connection string of this fixture's own database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={DatabaseName};Maximum Pool Size=50";

    /// <summary>The same database as a libpq connection string, as <c>psql</c> and <c>deploy/sql/apply.sh</c> take it.</summary>
    public string LibpqConnectionString => $"host=127.0.0.1 port={Port} user=postgres dbname={DatabaseName}";

    public async Task InitializeAsync()
    {
        if (Skipped)
        {
            return;
        }

        await EnsureServerAsync();
        await ExecuteOnServerAsync($"CREATE DATABASE {DatabaseName}");
    }

    public async Task DisposeAsync()
    {
        if (Skipped)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)");
    }

    private static async Task EnsureServerAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            if (await IsReachableAsync())
            {
                return;
            }

            var script = Path.Combine(RepositoryRoot.Find(), "deploy", "postgres.sh");
            var start = new ProcessStartInfo("bash", [script, "start"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PGPORT"] = Port;
            if (Port != DefaultPort && Environment.GetEnvironmentVariable("PGDATA") is null)
            {
                // Another port means another server, so it gets its own data folder.
                start.Environment["PGDATA"] = Path.Combine(Path.GetTempPath(), "orleans-tenancy-pg-" + Port);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {script}.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            if (process.ExitCode != 0 || !await IsReachableAsync())
            {
                throw new InvalidOperationException(
                    $"PostgreSQL is not reachable on 127.0.0.1:{Port} and 'deploy/postgres.sh start' did not fix it (exit {process.ExitCode}): " +
                    $"{await stderr}{await stdout} Start it with 'deploy/postgres.sh start' (as root, or after 'deploy/install-deps.sh'), " +
                    "or set TENANCY_SKIP_POSTGRES=1 to skip the PostgreSQL tests explicitly.");
            }
        }
        finally
        {
            StartLock.Release();
        }
    }

    private static async Task<bool> IsReachableAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ServerConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Marks a test class whose facts need PostgreSQL (see <see cref="StoreFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute
{
}

/// <summary>
/// A fact of a store contract. In a class marked <see cref="RequiresPostgresAttribute"/> it is skipped when
/// <c>TENANCY_SKIP_POSTGRES=1</c> is set, and runs (failing if PostgreSQL cannot be started) otherwise.
/// </summary>
[XunitTestCaseDiscoverer("OrleansTenancy.TestSupport.StoreFactDiscoverer", TestSupportAssembly.Name)]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute
{
}

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute).AssemblyQualifiedName).Any();
        if (needsPostgres && PostgresFixture.Skipped)
        {
            return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, "TENANCY_SKIP_POSTGRES=1 is set.")];
        }

        return _facts.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
