using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// How this silo takes part in its Orleans cluster, bound from the <c>Cluster</c> configuration section
/// (<c>appsettings.json</c>, environment variables such as <c>CLUSTER__SILOPORT</c>, or <c>--Cluster:SiloPort=…</c>).
/// </summary>
/// <remarks>
/// <para>
/// The defaults run one silo on loopback with nothing else installed (<c>localhost</c> membership). With <c>redis</c> or
/// <c>postgres</c> membership, silos started with the same cluster id find each other through that table and form one
/// cluster; their grain state and usage ledger must then live in one shared store (PostgreSQL), which
/// <see cref="ClusterHostOptionsValidator"/> insists on.
/// </para>
/// <para>
/// The failure-detection settings (<see cref="ProbeTimeout"/> to <see cref="ResponseTimeout"/>) are tuned so that the
/// survivors declare a killed silo dead, and calls through them succeed again, within seconds rather than Orleans'
/// default half minute; docs/CLUSTER.md gives the reason for each value.
/// </para>
/// </remarks>
public sealed class ClusterHostOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Cluster";

    /// <summary>One silo on loopback that is its own cluster; no membership table to run (the embedded default).</summary>
    public const string LocalhostMembership = "localhost";

    /// <summary>Membership in Redis (Microsoft.Orleans.Clustering.Redis), at <see cref="RedisConnectionString"/>.</summary>
    public const string RedisMembership = "redis";

    /// <summary>
    /// Membership in PostgreSQL (Microsoft.Orleans.Clustering.AdoNet, invariant <c>Npgsql</c>), at
    /// <see cref="PostgresConnectionString"/>, on the tables and statements of <c>deploy/sql/postgresql</c>.
    /// </summary>
    public const string PostgresMembership = "postgres";

    /// <summary>The membership values there are.</summary>
    public static IReadOnlyList<string> Memberships { get; } = [LocalhostMembership, RedisMembership, PostgresMembership];

    /// <summary>
    /// Where silos find each other: <c>localhost</c>, <c>redis</c> or <c>postgres</c>. Defaults to <c>localhost</c> (a
    /// single silo on loopback).
    /// </summary>
    public string Membership { get; set; } = LocalhostMembership;

    /// <summary>
    /// The Redis server of <c>redis</c> membership, as a StackExchange.Redis configuration string (for example
    /// <c>127.0.0.1:6379</c> or <c>redis:6379,password=…</c>). No default; required with <c>redis</c> membership.
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL database of <c>postgres</c> membership, as an Npgsql connection string. Defaults to
    /// <c>Tenancy:PostgresConnectionString</c> (membership beside the grain state).
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// The cluster's id: silos with the same id form one cluster. Defaults to <c>orleans-tenancy</c>.
    /// </summary>
    public string ClusterId { get; set; } = "orleans-tenancy";

    /// <summary>
    /// The service's id, which names the stored grain state and must stay the same across deployments (changing it
    /// orphans every tenant's budget state). Defaults to <c>orleans-tenancy</c>.
    /// </summary>
    public string ServiceId { get; set; } = "orleans-tenancy";

    /// <summary>The port silos talk to each other on. Defaults to 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans cluster clients connect to. Defaults to 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients reach this silo at (an IP address or a host name resolved at start), for a
    /// silo behind NAT or in a container. Defaults to loopback with <c>localhost</c> membership, else to the address
    /// Orleans picks: the host's first IPv4 address that is not loopback (loopback when it has none).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Whether the silo and gateway ports listen on every address of the host rather than on
    /// <see cref="AdvertisedAddress"/> alone (needed when the advertised address belongs to a NAT or a load balancer).
    /// Defaults to <see langword="false"/>.
    /// </summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>
    /// Whether <c>redis</c> or <c>postgres</c> membership may run with SQLite storage. SQLite is a file of one silo, so
    /// every silo would keep budgets and ledger of its own and a tenant's hard cap would hold per silo only. Defaults to
    /// <see langword="false"/>: such a silo refuses to start.
    /// </summary>
    public bool AllowLocalStorage { get; set; }

    /// <summary>
    /// The initial timeout of a liveness probe; Orleans adapts it to the measured round trips between half and four
    /// times this value, and probes each watched silo about once per timeout. Defaults to 1 second (Orleans: 5).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many probes in a row a silo may miss before a watcher votes it dead. Defaults to 3 (as Orleans).</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// How many fresh votes declare a silo dead (a smaller cluster needs half its active silos, rounded up). Defaults to 2
    /// (as Orleans).
    /// </summary>
    public int DeathVotes { get; set; } = 2;

    /// <summary>How long a vote against a silo counts. Defaults to 30 seconds (Orleans: 2 minutes).</summary>
    public TimeSpan DeathVoteExpiration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a silo writes its heartbeat into the membership table; a silo three heartbeats late counts as stale
    /// and no longer as a voter. Defaults to 5 seconds (Orleans: 30).
    /// </summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a silo reads the whole membership table, behind the gossip that normally brings changes at once.
    /// Defaults to 10 seconds (Orleans: 60).
    /// </summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a grain call made by this silo may take before its caller gets a timeout. Calls to a silo that dies are
    /// failed as soon as it is declared dead; this bounds the rest. Defaults to 5 seconds with <c>redis</c> or
    /// <c>postgres</c> membership and to Orleans' 30 seconds with <c>localhost</c>, where no other silo could answer sooner
    /// (<see cref="EffectiveResponseTimeout"/>).
    /// </summary>
    public TimeSpan? ResponseTimeout { get; set; }

    /// <summary>The response timeout in effect: <see cref="ResponseTimeout"/>, else the default of the membership.</summary>
    public TimeSpan EffectiveResponseTimeout => ResponseTimeout ?? (IsShared ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long an activation may stay idle before Orleans collects it (it is re-activated from storage on its next
    /// call). Defaults to 15 minutes; Orleans needs more than one minute.
    /// </summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether the silo runs in a Kubernetes pod under Orleans' Kubernetes hosting
    /// (<c>Microsoft.Orleans.Hosting.Kubernetes</c>): the silo is named after its pod (<c>POD_NAME</c>), advertises
    /// <c>POD_IP</c> unless an address is configured, labels its pod with the cluster and service ids, and declares a
    /// silo dead as soon as its pod is deleted. Needs a service account allowed to get, list, watch and patch pods
    /// (<c>deploy/kubernetes/rbac.yaml</c>). Defaults to <see langword="false"/>; the manifests set
    /// <c>Cluster__Kubernetes=true</c>.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>Whether silos form a cluster through a shared membership table (<c>redis</c> or <c>postgres</c>).</summary>
    public bool IsShared => Membership is RedisMembership or PostgresMembership;

    /// <inheritdoc />
    public override string ToString()
    {
        var where = Membership switch
        {
            RedisMembership => $", Redis={RedactRedis(RedisConnectionString)}",
            PostgresMembership => $", Postgres={RedactPostgres(PostgresConnectionString)}",
            _ => string.Empty,
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Membership={Membership}{where}, ClusterId={ClusterId}, ServiceId={ServiceId}, SiloPort={SiloPort}, GatewayPort={GatewayPort}, " +
            $"AdvertisedAddress={AdvertisedAddress ?? "<default>"}, ListenOnAnyAddress={ListenOnAnyAddress}, " +
            $"ProbeTimeout={ProbeTimeout}, MissedProbesLimit={MissedProbesLimit}, DeathVotes={DeathVotes}, DeathVoteExpiration={DeathVoteExpiration}, " +
            $"IAmAlivePeriod={IAmAlivePeriod}, TableRefreshPeriod={TableRefreshPeriod}, ResponseTimeout={EffectiveResponseTimeout}, CollectionAge={CollectionAge}, Kubernetes={Kubernetes}");
    }

    /// <summary>The Redis endpoints and options without the password.</summary>
    private static string RedactRedis(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "<none>";
        }

        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(connectionString).ToString(includePassword: false);
        }
        catch (ArgumentException)
        {
            return "<unreadable>";
        }
    }

    /// <summary>Host, port, database and user of a PostgreSQL connection string; never its password.</summary>
    private static string RedactPostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "<none>";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username ?? "<default user>"}");
        }
        catch (ArgumentException)
        {
            return "<unreadable>";
        }
    }
}

/// <summary>
/// Validates <see cref="ClusterHostOptions"/> so that a bad setting stops the silo before it starts, naming the setting.
/// Given the storage settings too, it also checks what membership and storage require of each other.
/// </summary>
/// <param name="storage">The silo's storage settings, or <see langword="null"/> to check the <c>Cluster</c> section alone.</param>
public sealed class ClusterHostOptionsValidator(TenancyHostOptions? storage = null) : IValidateOptions<ClusterHostOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClusterHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = ClusterHostOptions.SectionName;
        var failures = new List<string>();
        if (!ClusterHostOptions.Memberships.Contains(options.Membership, StringComparer.Ordinal))
        {
            failures.Add($"{Section}:Membership is '{options.Membership}'; it must be one of {string.Join(", ", ClusterHostOptions.Memberships.Select(m => $"'{m}'"))}.");
        }

        CheckConnections(options, failures);
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{Section}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ServiceId must not be empty.");
        }

        foreach (var (setting, port) in new[] { ("SiloPort", options.SiloPort), ("GatewayPort", options.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{setting} is {port}; it must be between 1 and 65535."));
            }
        }

        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:SiloPort and {Section}:GatewayPort are both {options.SiloPort}; they must differ."));
        }

        if (options.AdvertisedAddress is { } address && !IPAddress.TryParse(address, out _) && Uri.CheckHostName(address) != UriHostNameType.Dns)
        {
            failures.Add($"{Section}:AdvertisedAddress is '{address}'; it must be an IP address or a host name, e.g. '10.0.0.5'.");
        }

        if (options.Membership == ClusterHostOptions.LocalhostMembership && (options.AdvertisedAddress is not null || options.ListenOnAnyAddress))
        {
            failures.Add($"{Section}:AdvertisedAddress and {Section}:ListenOnAnyAddress apply to 'redis' and 'postgres' membership; 'localhost' membership is loopback only.");
        }

        CheckFailureDetection(options, failures);
        if (options.CollectionAge <= TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:CollectionAge is {options.CollectionAge}; it must be more than one minute, e.g. '00:15:00'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The postgres membership's connection string in effect: its own, else the grain storage's.</summary>
    public static string? EffectivePostgresConnectionString(ClusterHostOptions cluster, TenancyHostOptions? storage)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return string.IsNullOrWhiteSpace(cluster.PostgresConnectionString) ? storage?.PostgresConnectionString : cluster.PostgresConnectionString;
    }

    private void CheckConnections(ClusterHostOptions options, List<string> failures)
    {
        const string Section = ClusterHostOptions.SectionName;
        switch (options.Membership)
        {
            case ClusterHostOptions.RedisMembership when string.IsNullOrWhiteSpace(options.RedisConnectionString):
                failures.Add($"{Section}:RedisConnectionString is required when {Section}:Membership is 'redis', e.g. '127.0.0.1:6379'.");
                break;
            case ClusterHostOptions.RedisMembership when !IsRedisConfiguration(options.RedisConnectionString!):
                failures.Add($"{Section}:RedisConnectionString is not a Redis configuration string; write it as 'host:port[,option=value...]', e.g. '127.0.0.1:6379'.");
                break;
            case ClusterHostOptions.PostgresMembership:
                var connection = EffectivePostgresConnectionString(options, storage);
                if (string.IsNullOrWhiteSpace(connection))
                {
                    failures.Add($"{Section}:PostgresConnectionString (or Tenancy:PostgresConnectionString) is required when {Section}:Membership is 'postgres'.");
                }
                else if (!IsNpgsqlConnectionString(connection))
                {
                    failures.Add($"{Section}:PostgresConnectionString is not an Npgsql connection string; write it as 'Host=…;Port=…;Username=…;Database=…'.");
                }

                break;
        }

        if (options.IsShared && storage is { Storage: not "postgres" } && !options.AllowLocalStorage)
        {
            failures.Add(
                $"{Section}:Membership is '{options.Membership}' but Tenancy:Storage is '{storage.Storage}': SQLite is a file of one silo, so each silo " +
                "would keep budgets and usage of its own and a hard cap would hold per silo only. Set Tenancy:Storage to 'postgres' (with " +
                $"Tenancy:PostgresConnectionString), or set {Section}:AllowLocalStorage to true for a cluster whose silos may disagree (tests only).");
        }
    }

    private static void CheckFailureDetection(ClusterHostOptions options, List<string> failures)
    {
        const string Section = ClusterHostOptions.SectionName;
        foreach (var (setting, value, example) in new[]
        {
            ("ProbeTimeout", options.ProbeTimeout, "00:00:01"),
            ("DeathVoteExpiration", options.DeathVoteExpiration, "00:00:30"),
            ("IAmAlivePeriod", options.IAmAlivePeriod, "00:00:05"),
            ("TableRefreshPeriod", options.TableRefreshPeriod, "00:00:10"),
            ("ResponseTimeout", options.EffectiveResponseTimeout, "00:00:05"),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{setting} is {value}; it must be positive, e.g. '{example}'.");
            }
        }

        if (options.MissedProbesLimit < 1)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:MissedProbesLimit is {options.MissedProbesLimit}; it must be at least 1."));
        }

        if (options.DeathVotes < 1)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:DeathVotes is {options.DeathVotes}; it must be at least 1."));
        }

        // A vote that expires before the next watcher can add its own never adds up to a death declaration.
        var votingWindow = options.ProbeTimeout * 4 * options.MissedProbesLimit;
        if (options.ProbeTimeout > TimeSpan.Zero && options.MissedProbesLimit >= 1 && options.DeathVoteExpiration <= votingWindow)
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{Section}:DeathVoteExpiration is {options.DeathVoteExpiration}; it must be longer than the longest time to miss {Section}:MissedProbesLimit probes " +
                $"({votingWindow}: 4 × ProbeTimeout × MissedProbesLimit), or votes expire before they add up."));
        }
    }

    private static bool IsRedisConfiguration(string value)
    {
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(value).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsNpgsqlConnectionString(string value)
    {
        try
        {
            return !string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(value).Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
