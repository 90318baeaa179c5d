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

        // Read-your-writes: rows of calls that have returned are sent to the ledger before it is queried.
        await grains.GetGrain<ITenantGrain>(tenant).FlushUsageAsync();

        if (ParsePeriod(period, from, to) is not { } usagePeriod)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid period",
                detail: $"Use period=today|yesterday|this_week|this_month, or from=YYYY-MM-DD&to=YYYY-MM-DD (local dates, from ≤ to); got period='{period}', from='{from}', to='{to}'.");
        }

        var zone = registry.Current.Find(tenant)!.TimeZone;
        return TypedResults.Ok(await ledger.GetUsageAsync(tenant, usagePeriod, zone, time.GetUtcNow(), cancellationToken));
    }

    /// <summary>A page of executions.</summary>
    public static async Task<IResult> ListExecutions(
        string tenant, [FromQuery(Name = "page_size")] int? pageSize, string? cursor, string? workspace,
        ITenantRegistrySource registry, IUsageLedger ledger, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (BudgetApi.UnknownTenant(tenant, registry) is { } notFound)
        {
            return notFound;
        }

        await grains.GetGrain<ITenantGrain>(tenant).FlushUsageAsync();

        var size = pageSize ?? 50;
        if (size is < 1 or > IUsageLedger.MaxPageSize)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid page_size",
                detail: $"page_size must be between 1 and {IUsageLedger.MaxPageSize}, not {size}.");
        }

        try
        {
            return TypedResults.Ok(await ledger.ListExecutionsAsync(tenant, size, cursor, workspace, cancellationToken));
        }
        catch (ArgumentException error)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid cursor", detail: error.Message);
        }
    }

    /// <summary>Parses the period query; <see langword="null"/> when it is not valid.</summary>
    public static UsagePeriod? ParsePeriod(string? period, string? from, string? to)
    {
        if (from is not null || to is not null)
        {
            return period is null
                && DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
                && DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
                && start <= end
                ? UsagePeriod.Range(start, end)
                : null;
        }

        return (period ?? "today") switch
        {
            "today" => UsagePeriod.Today,
            "yesterday" => UsagePeriod.Yesterday,
            "this_week" => UsagePeriod.ThisWeek,
            "this_month" => UsagePeriod.ThisMonth,
            _ => null,
        };
    }
}
