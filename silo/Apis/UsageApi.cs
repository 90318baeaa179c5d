using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Apis;

/// <summary>Usage and executions of a tenant, read from the usage ledger, in the tenant's time zone.</summary>
public static class UsageApi
{
    /// <summary>Maps <c>/admin/tenants/{tenant}/usage</c> and <c>/admin/tenants/{tenant}/executions</c>.</summary>
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/tenants/{tenant}/usage", GetUsage)
            .WithName("GetUsage")
            .WithSummary("Totals with per-model, per-workspace and per-day breakdowns for period=today|yesterday|this_week|this_month, or from/to (local dates, inclusive).");
        admin.MapGet("/tenants/{tenant}/executions", ListExecutions)
            .WithName("ListExecutions")
            .WithSummary("One row per request outcome, newest first; page with page_size (max 200) and the returned cursor.");
        return admin;
    }

    /// <summary>Usage for a period.</summary>
    public static async Task<IResult> GetUsage(
        string tenant, string? period, string? from, string? to,
        ITenantRegistrySource registry, IUsageLedger ledger, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        if (BudgetApi.UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        if (!TryParsePeriod(period, from, to, out var usagePeriod, out var problem))
        {
            return AdminProblems.Invalid("Invalid period", problem.Value.Key, problem.Value.Value);
        }

        // Read-your-writes: rows of calls that have returned are sent to the ledger before it is queried.
        await grains.GetGrain<ITenantGrain>(tenant).FlushUsageAsync();

        var zone = registry.Current.Find(tenant)!.TimeZone;
        return TypedResults.Ok(await ledger.GetUsageAsync(tenant, usagePeriod!, zone, time.GetUtcNow(), cancellationToken));
    }

    /// <summary>A page of executions.</summary>
    public static async Task<IResult> ListExecutions(
        string tenant, [FromQuery(Name = "page_size")] string? pageSize, string? cursor, string? workspace,
        ITenantRegistrySource registry, IUsageLedger ledger, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (BudgetApi.UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        var size = 50;
        if (pageSize is not null
            && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > IUsageLedger.MaxPageSize))
        {
            return AdminProblems.Invalid("Invalid page_size", "page_size", $"page_size must be a whole number from 1 to {IUsageLedger.MaxPageSize}, not '{pageSize}'.");
        }

        await grains.GetGrain<ITenantGrain>(tenant).FlushUsageAsync();
        try
        {
            return TypedResults.Ok(await ledger.ListExecutionsAsync(tenant, size, cursor, workspace, cancellationToken));
        }
        catch (ArgumentException error)
        {
            return AdminProblems.Invalid("Invalid cursor", "cursor", $"cursor is not one this endpoint returned ({error.Message}); start again without it.");
        }
    }

    /// <summary>
    /// Parses the period query: <c>period=today|yesterday|this_week|this_month</c> (default <c>today</c>), or
    /// <c>from</c> and <c>to</c> (local dates, inclusive, at most <see cref="UsagePeriod.MaxRangeDays"/> days); on
    /// failure <paramref name="problem"/> names the parameter and the rule.
    /// </summary>
    public static bool TryParsePeriod(
        string? period, string? from, string? to,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UsagePeriod? usagePeriod,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out KeyValuePair<string, string>? problem)
    {
        usagePeriod = null;
        problem = null;
        if (from is not null || to is not null)
        {
            if (period is not null)
            {
                problem = new("period", $"Give either period or from/to, not both (got period='{period}').");
            }
            else if (!TryDate(from, out var start))
            {
                problem = new("from", $"from must be a date written YYYY-MM-DD, not '{from}'.");
            }
            else if (!TryDate(to, out var end))
            {
                problem = new("to", $"to must be a date written YYYY-MM-DD, not '{to}'.");
            }
            else if (!UsagePeriod.TryRange(start, end, out usagePeriod, out var rule))
            {
                problem = new("from", rule);
            }

            return usagePeriod is not null;
        }

        usagePeriod = (period ?? "today") switch
        {
            "today" => UsagePeriod.Today,
            "yesterday" => UsagePeriod.Yesterday,
            "this_week" => UsagePeriod.ThisWeek,
            "this_month" => UsagePeriod.ThisMonth,
            _ => null,
        };
        if (usagePeriod is null)
        {
            problem = new("period", $"period must be today, yesterday, this_week or this_month (or use from/to), not '{period}'.");
        }

        return usagePeriod is not null;
    }

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
