using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>Checks <see cref="TenancyClientOptions"/>; each failure names the setting, its value and the valid range.</summary>
public sealed class TenancyClientOptionsValidator : IValidateOptions<TenancyClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenancyClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = TenancyClientOptions.SectionName;
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Membership))
        {
            failures.Add($"{Section}:Membership is '{options.Membership}'; use StaticGateways, Redis or Postgres.");
        }

        if (options.Membership == TenancyClientMembership.StaticGateways)
        {
            foreach (var gateway in options.EffectiveGateways)
            {
                if (!TryParseGateway(gateway, out _, out _))
                {
                    failures.Add($"{Section}:Gateways holds '{gateway}'; write each gateway as host:port, e.g. '127.0.0.1:30000'.");
                }
            }
        }

        if (options.Membership == TenancyClientMembership.Redis && string.IsNullOrWhiteSpace(options.RedisConnectionString))
        {
            failures.Add($"{Section}:RedisConnectionString is required when {Section}:Membership is Redis, e.g. '127.0.0.1:6379'.");
        }

        if (options.Membership == TenancyClientMembership.Postgres && !IsNpgsqlConnectionString(options.PostgresConnectionString))
        {
            failures.Add(options.PostgresConnectionString is null
                ? $"{Section}:PostgresConnectionString is required when {Section}:Membership is Postgres, e.g. 'Host=127.0.0.1;Port=5432;Username=tenancy;Database=tenancy'."
                : $"{Section}:PostgresConnectionString is not an Npgsql connection string with a host; write it as 'Host=…;Port=…;Username=…;Database=…'.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{Section}:ClusterId must not be empty; use the silos' Cluster:ClusterId.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ServiceId must not be empty; use the silos' Cluster:ServiceId.");
        }

        Range(failures, "GatewayListRefreshPeriod", options.GatewayListRefreshPeriod, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Range(failures, "ResponseTimeout", options.ResponseTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        Range(failures, "ChatTimeout", options.ChatTimeout, TimeSpan.FromSeconds(1), TimeSpan.Parse(IRouterGrain.ChatTimeout, CultureInfo.InvariantCulture));
        Range(failures, "RetryDelay", options.RetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        if (options.RetryAttempts is < 0 or > 10)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:RetryAttempts is {options.RetryAttempts}; it must be between 0 and 10."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Splits <c>host:port</c> (an IPv6 address in brackets: <c>[::1]:30000</c>).</summary>
    internal static bool TryParseGateway(string? gateway, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = gateway?.LastIndexOf(':') ?? -1;
        if (gateway is null || colon <= 0
            || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = gateway[..colon].Trim('[', ']');
        return host.Length > 0 && !host.Contains(' ', StringComparison.Ordinal);
    }

    private static bool IsNpgsqlConnectionString(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        try
        {
            return !string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(value).Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Range(List<string> failures, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{TenancyClientOptions.SectionName}:{setting} is {value}; it must be between {min} and {max}."));
        }
    }
}
