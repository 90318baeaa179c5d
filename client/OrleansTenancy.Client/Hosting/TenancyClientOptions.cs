using System.Globalization;

namespace OrleansTenancy.Client;

/// <summary>How a service reaches the cluster's Orleans gateways.</summary>
public enum TenancyClientMembership
{
    /// <summary>
    /// A fixed list of gateways (<see cref="TenancyClientOptions.Gateways"/>); the default, pointing at the embedded
    /// silo's gateway on <c>127.0.0.1:30000</c>. A gateway that dies is skipped until it answers again.
    /// </summary>
    StaticGateways = 0,

    /// <summary>
    /// The silos' Redis membership table (<see cref="TenancyClientOptions.RedisConnectionString"/>): the client learns
    /// of silos that join or leave every <see cref="TenancyClientOptions.GatewayListRefreshPeriod"/>.
    /// </summary>
    Redis = 1,

    /// <summary>
    /// The silos' PostgreSQL membership table (<see cref="TenancyClientOptions.PostgresConnectionString"/>, the tables
    /// and statements of <c>deploy/sql/postgresql</c> that the silos create): the client learns of silos that join or
    /// leave every <see cref="TenancyClientOptions.GatewayListRefreshPeriod"/>.
    /// </summary>
    Postgres = 2,
}

/// <summary>
/// Settings of the cluster client, bound from the <c>TenancyClient</c> configuration section by the
/// <see cref="Microsoft.Extensions.Hosting.IHostApplicationBuilder"/> overload of <c>AddOrleansTenancyClient</c>
/// (environment variables such as <c>TENANCYCLIENT__MEMBERSHIP</c>).
/// </summary>
/// <remarks>
/// Every default suits a service on the machine of a silo started with <c>dotnet run --project silo</c>. The options
/// are checked when the client is added (<see cref="TenancyClientOptionsValidator"/>); an invalid one throws there,
/// naming the setting. The effective options are logged when the host starts, connection strings redacted.
/// </remarks>
public sealed class TenancyClientOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "TenancyClient";

    /// <summary>The gateway used when <see cref="Gateways"/> is empty: the embedded silo's, <c>127.0.0.1:30000</c>.</summary>
    public const string DefaultGateway = "127.0.0.1:30000";

    /// <summary>How gateways are found. Defaults to <see cref="TenancyClientMembership.StaticGateways"/>.</summary>
    public TenancyClientMembership Membership { get; set; } = TenancyClientMembership.StaticGateways;

    /// <summary>
    /// The gateways (<c>host:port</c>, a name or an address) for <see cref="TenancyClientMembership.StaticGateways"/>.
    /// Names are resolved when the client starts. Empty by default, which means <see cref="DefaultGateway"/>.
    /// </summary>
    public IList<string> Gateways { get; set; } = [];

    /// <summary>
    /// The StackExchange.Redis connection string of the silos' membership (for example <c>127.0.0.1:6379</c>), required
    /// with <see cref="TenancyClientMembership.Redis"/>. No default.
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// The Npgsql connection string of the silos' membership database (their <c>Cluster:PostgresConnectionString</c>,
    /// by default their <c>Tenancy:PostgresConnectionString</c>), required with
    /// <see cref="TenancyClientMembership.Postgres"/>. The client only reads the table, so a user allowed to
    /// <c>SELECT</c> from <c>orleansquery</c> and <c>orleans_membership</c> is enough. No default.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>The cluster's id; the silos' <c>Cluster:ClusterId</c>. Defaults to <c>orleans-tenancy</c>.</summary>
    public string ClusterId { get; set; } = "orleans-tenancy";

    /// <summary>The service's id; the silos' <c>Cluster:ServiceId</c>. Defaults to <c>orleans-tenancy</c>.</summary>
    public string ServiceId { get; set; } = "orleans-tenancy";

    /// <summary>
    /// How often the list of live gateways is re-read from membership, so that silos that joined are used and silos
    /// that left are dropped. Defaults to 10 seconds (Orleans' own default is one minute); 1 second to 10 minutes.
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a budget, usage or memory call may take before it fails with a <see cref="TimeoutException"/>.
    /// Defaults to 30 seconds. Chat calls have their own limit (five minutes, upstream included) and a cancellation
    /// token of their own.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest a plain chat call may take before it fails with a <see cref="TimeoutException"/> and is cancelled on
    /// the silo (which settles what upstream may have charged). It also bounds the wait for a call whose silo died while
    /// it ran: such a call is never sent again. Defaults to 5 minutes, the cluster's own limit for a chat call (upstream
    /// attempts and fallbacks included); 1 second to 5 minutes.
    /// </summary>
    public TimeSpan ChatTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many times an idempotent call (a read, a budget override, a memory write with its id) is tried again after
    /// its gateway or silo failed it. Chat calls are never retried: one may have reached upstream. Defaults to 3; 0 to 10.
    /// </summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>
    /// The wait before the first retry; each later one waits twice as long. Defaults to 200 milliseconds; 1 millisecond
    /// to 1 minute.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The gateways to use: <see cref="Gateways"/>, or <see cref="DefaultGateway"/> when it is empty.</summary>
    public IReadOnlyList<string> EffectiveGateways => Gateways.Count > 0 ? [.. Gateways] : [DefaultGateway];

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"Membership={Membership}, Gateways={(Membership == TenancyClientMembership.StaticGateways ? string.Join(",", EffectiveGateways) : "<from membership>")}, RedisConnectionString={Redacted(RedisConnectionString)}, PostgresConnectionString={Redacted(PostgresConnectionString)}, ClusterId={ClusterId}, ServiceId={ServiceId}, GatewayListRefreshPeriod={GatewayListRefreshPeriod}, ResponseTimeout={ResponseTimeout}, ChatTimeout={ChatTimeout}, RetryAttempts={RetryAttempts}, RetryDelay={RetryDelay}");

    private static string Redacted(string? connectionString) => connectionString is null ? "<none>" : "<redacted>";
}
