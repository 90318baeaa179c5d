using System.Globalization;
using OrleansTenancy.Cli.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace OrleansTenancy.Cli.Rendering;

/// <summary>Turns admin API answers into tables; kept apart from transport so output can be checked without a silo.</summary>
public static class AdminRenderer
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Tenants with workspaces, guilds and limits, then load problems (errors in red).</summary>
    public static void Tenants(IAnsiConsole console, TenantsReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table().Title("Tenants")
            .AddColumns("Tenant", "Name", "Source", "Status", "Time zone", "Workspaces (guilds)", "Limits");
        foreach (var tenant in report.Tenants)
        {
            var workspaces = string.Join("\n", tenant.Workspaces.Select(w =>
                w.Guilds.Count == 0 ? w.Key : $"{w.Key} ({string.Join(", ", w.Guilds)})"));
            table.AddRow(Esc(tenant.Slug), Esc(tenant.DisplayName), Esc(tenant.Source ?? "yaml"), Esc(tenant.Status), Esc(tenant.Timezone),
                Esc(workspaces.Length == 0 ? "-" : workspaces), Esc(Describe(tenant.Limits, "\n")));
        }

        console.Write(table);
        if (report.Errors.Count == 0)
        {
            console.MarkupLine("[green]No load problems.[/]");
            return;
        }

        console.MarkupLine($"[bold]Load problems ({report.Errors.Count}):[/]");
        foreach (var problem in report.Errors)
        {
            var colour = problem.Severity == "error" ? "red" : "yellow";
            console.MarkupLine($"[{colour}]{Esc($"{problem.File}:{problem.Line}: {problem.Severity}: {problem.Message}")}[/]");
        }
    }

    /// <summary>A runtime tenant as registered or replaced.</summary>
    public static void RuntimeTenant(IAnsiConsole console, RuntimeTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(tenant);
        console.MarkupLine($"[bold]{Esc(tenant.Id)}[/] ({Esc(tenant.Name)}), source {Esc(tenant.Source)}, workspaces {Esc(string.Join(", ", tenant.Workspaces))}");
        console.MarkupLine($"Limits: {Esc(tenant.Limits is null ? "none of its own" : Describe(tenant.Limits))}");
        console.MarkupLine($"Created {Esc(tenant.CreatedAt.ToString("u", Invariant))}, updated {Esc(tenant.UpdatedAt.ToString("u", Invariant))}");
    }

    /// <summary>A runtime tenant removed.</summary>
    public static void Removed(IAnsiConsole console, RemovedTenant removed)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(removed);
        console.MarkupLine($"Removed runtime tenant [bold]{Esc(removed.Id)}[/].");
    }

    /// <summary>One row per limit with usage, a bar of the percentage used, reset time and forecast.</summary>
    public static void Budget(IAnsiConsole console, BudgetReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var status = report.Status;
        console.MarkupLine($"[bold]{Esc(report.Tenant)}[/]: enforcement [bold]{Esc(status.Enforcement)}[/], time zone {Esc(status.TimeZoneId)}, "
            + $"max per request {(status.MaxPerRequestUsd is { } max ? Usd(max) : "-")}, open reservations {status.OpenReservations}");
        console.MarkupLine($"Configured: {Esc(Describe(report.ConfiguredLimits))}");
        console.MarkupLine(report.Override is null ? "Override: none" : $"[yellow]Override: {Esc(Describe(report.Override))}[/]");
        var table = new Table().AddColumns("Scope", "Metric", "Period", "Limit", "Spent", "Reserved", "Remaining", "Used", "Resets (UTC)", "Forecast");
        foreach (var limit in status.Limits)
        {
            table.AddRow(
                new Text(limit.Workspace ?? "tenant"), new Text(limit.Metric), new Text(limit.Period),
                new Text(Amount(limit.Metric, limit.Limit)), new Text(Amount(limit.Metric, limit.Spent)),
                new Text(Amount(limit.Metric, limit.Reserved)), new Text(Amount(limit.Metric, limit.Remaining)),
                Bar(limit.PercentUsed), new Text(limit.ResetsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)),
                new Text(Amount(limit.Metric, limit.ForecastAtPeriodEnd)));
        }

        console.Write(table);
    }

    /// <summary>Totals, then per model, per workspace and per day.</summary>
    public static void Usage(IAnsiConsole console, UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var window = report.Window;
        console.MarkupLine($"[bold]{Esc(report.Tenant)}[/] usage {Esc(window.Kind)}: {window.FirstDate.ToString("yyyy-MM-dd", Invariant)} to {window.LastDate.ToString("yyyy-MM-dd", Invariant)} ({Esc(window.TimeZone)})");
        console.Write(UsageTable("Totals", "Period", [new UsageBreakdown("all", report.Totals)]));
        console.Write(UsageTable("By model", "Model", report.ByModel));
        console.Write(UsageTable("By workspace", "Workspace", report.ByWorkspace));
        console.Write(UsageTable("By day", "Date", [.. report.ByDay.Select(d => new UsageBreakdown(d.Date.ToString("yyyy-MM-dd", Invariant), d.Totals))]));
    }

    /// <summary>One row per execution, then how to read the next page.</summary>
    public static void Executions(IAnsiConsole console, ExecutionPage page)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(page);
        var (items, nextCursor) = (page.Items, page.NextCursor);
        var table = new Table().AddColumns("Created", "Request", "Workspace", "Model", "Status", "Tokens in", "Tokens out", "Cost", "Latency", "Cached");
        foreach (var e in items)
        {
            table.AddRow(Esc(e.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", Invariant)), Esc(e.RequestId), Esc(e.Workspace), Esc(e.Model),
                StatusMarkup(e.Status) + (e.Reason is null ? string.Empty : $" ({Esc(e.Reason)})"), Count(e.TokensIn), Count(e.TokensOut), Usd(e.CostUsd),
                e.LatencyMs.ToString(Invariant) + " ms", e.Cached ? "yes" : "no");
        }

        console.Write(table);
        console.MarkupLine(nextCursor is null
            ? $"{items.Count} execution(s)."
            : $"{items.Count} execution(s); more with [bold]--cursor {Esc(nextCursor)}[/] or [bold]--all[/].");
    }

    /// <summary>Each reconciled counter, changes highlighted.</summary>
    public static void Reconcile(IAnsiConsole console, string tenant, ReconcileReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table().AddColumns("Scope", "Period", "Key", "Cost before", "Cost after", "Tokens before", "Tokens after", "Executions before", "Executions after");
        var changed = 0;
        foreach (var c in report.Counters)
        {
            var differs = c.CostBefore != c.CostAfter || c.TokensBefore != c.TokensAfter || c.ExecutionsBefore != c.ExecutionsAfter;
            changed += differs ? 1 : 0;
            var style = differs ? new Style(Color.Yellow) : Style.Plain;
            table.AddRow(new IRenderable[]
            {
                new Text(c.Workspace ?? "tenant", style), new Text(c.Period, style), new Text(c.PeriodKey.ToString(Invariant), style),
                new Text(Usd(c.CostBefore), style), new Text(Usd(c.CostAfter), style),
                new Text(Count(c.TokensBefore), style), new Text(Count(c.TokensAfter), style),
                new Text(Count(c.ExecutionsBefore), style), new Text(Count(c.ExecutionsAfter), style),
            });
        }

        console.Write(table);
        console.MarkupLine(changed == 0
            ? $"[green]{Esc(tenant)}: every counter matched the ledger.[/]"
            : $"[yellow]{Esc(tenant)}: {changed} counter(s) corrected from the ledger.[/]");
    }

    /// <summary>The health line.</summary>
    public static void Health(IAnsiConsole console, Uri url, HealthReport health)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(health);
        var colour = health.Problems == 0 ? "green" : "yellow";
        console.MarkupLine($"[{colour}]{Esc(health.Status)}[/]: {Esc(url.ToString())} serves {health.Tenants} tenant(s), {health.Problems} load problem(s).");
    }

    /// <summary>One row per silo, then whether they serve the same tenants and why any silo's report is missing.</summary>
    public static void Cluster(IAnsiConsole console, ClusterReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table().AddColumns("Silo", "Address", "Status", "Uptime", "Activations", "Tenants", "Registry", "Version", "HTTP");
        foreach (var silo in report.Silos)
        {
            var status = silo.Status == "active" ? $"[green]{Esc(silo.Status)}[/]" : $"[yellow]{Esc(silo.Status)}[/]";
            var registry = silo.RegistryHash is null ? "-"
                : silo.RegistryDiffers ? $"[red]{Esc(silo.RegistryHash)} differs[/]"
                : Esc(silo.RegistryHash);
            table.AddRow(
                Esc(silo.Name + (silo.IsThisSilo ? " (this silo)" : string.Empty)), Esc(silo.Address), status,
                silo.UptimeSeconds is { } up ? Uptime(up) : "-", silo.Activations is { } a ? Count(a) : "-",
                silo.Tenants?.ToString(Invariant) ?? "-", registry, Esc(silo.Version ?? "-"),
                Esc(silo.HttpAddresses is { Count: > 0 } http ? string.Join(", ", http) : "-"));
        }

        console.Write(table);
        var answered = report.Silos.Count(s => s.RegistryHash is not null);
        if (report.RegistriesAgree)
        {
            console.MarkupLine(answered == 0
                ? "[yellow]No silo reported its tenants.[/]"
                : $"[green]The {answered} silo(s) that answered serve the same tenants (registry {Esc(report.RegistryHash ?? "-")}).[/]");
        }
        else
        {
            var odd = string.Join(", ", report.Silos.Where(s => s.RegistryDiffers).Select(s => s.Name));
            console.MarkupLine(report.RegistryHash is null
                ? $"[red]The silos serve different tenants and no registry is held by most of them: {Esc(odd)}.[/] Check each silo's tenants folder."
                : $"[red]Tenants differ from the majority (registry {Esc(report.RegistryHash)}) on: {Esc(odd)}.[/] Check their tenants folders, then reload.");
        }

        foreach (var silo in report.Silos.Where(s => s.Problem is not null))
        {
            console.MarkupLine($"[yellow]{Esc(silo.Name)}: {Esc(silo.Problem!)}[/]");
        }
    }

    /// <summary>A one-line summary of the limits that are set.</summary>
    /// <param name="limits">The limits.</param>
    /// <param name="separator">Put between limits: ", " for a sentence, a newline for a table cell.</param>
    public static string Describe(BudgetLimits limits, string separator = ", ")
    {
        ArgumentNullException.ThrowIfNull(limits);
        var parts = new List<string>();
        Add("daily", limits.DailyCapUsd is { } d ? Usd(d) : null);
        Add("monthly", limits.MonthlyCapUsd is { } m ? Usd(m) : null);
        Add("daily tokens", limits.DailyTokens?.ToString("N0", Invariant));
        Add("monthly tokens", limits.MonthlyTokens?.ToString("N0", Invariant));
        Add("daily executions", limits.DailyExecutions?.ToString("N0", Invariant));
        Add("monthly executions", limits.MonthlyExecutions?.ToString("N0", Invariant));
        Add("per request", limits.MaxPerRequest is { } r ? Usd(r) : null);
        Add("enforcement", limits.Enforcement);
        Add("alerts", limits.AlertThresholds is { Count: > 0 } a ? string.Join("/", a.Select(t => t.ToString(Invariant))) + "%" : null);
        Add("inherit global", limits.InheritGlobal?.ToString().ToLowerInvariant());
        return parts.Count == 0 ? "no limits" : string.Join(separator, parts);

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{name} {value}");
            }
        }
    }

    private static Table UsageTable(string title, string keyColumn, IReadOnlyList<UsageBreakdown> rows)
    {
        var table = new Table().Title(title).AddColumns(keyColumn, "Requests", "Executions", "Tokens in", "Tokens out", "Cost", "Estimated", "Cached");
        foreach (var row in rows)
        {
            var t = row.Totals;
            table.AddRow(Esc(row.Key), Count(t.Requests), Count(t.Executions), Count(t.TokensIn), Count(t.TokensOut), Usd(t.CostUsd), Usd(t.EstimatedCostUsd), Count(t.CachedRequests));
        }

        if (rows.Count == 0)
        {
            table.AddRow("(none)");
        }

        return table;
    }

    private static Markup Bar(decimal percent)
    {
        const int Width = 8;
        var filled = (int)Math.Clamp(Math.Round(percent / 100m * Width), 0, Width);
        var colour = percent >= 100 ? "red" : percent >= 80 ? "yellow" : "green";
        var bar = new string('#', filled) + new string('.', Width - filled);
        return new Markup($"[{colour}]{bar}[/] {percent.ToString("0.0", Invariant)}%");
    }

    private static string StatusMarkup(string status) => status switch
    {
        "ok" => "[green]ok[/]",
        "denied" or "forbidden" or "rate_limited" or "error" => $"[red]{Esc(status)}[/]",
        _ => $"[yellow]{Esc(status)}[/]",
    };

    private static string Amount(string metric, decimal value) => metric is "cost_usd" or "max_per_request" ? Usd(value) : value.ToString("N0", Invariant);

    internal static string Usd(decimal value) => "$" + value.ToString(value != 0 && Math.Abs(value) < 0.01m ? "0.000000" : "0.00##", Invariant);

    /// <summary>Seconds as the two largest units: <c>3d 4h</c>, <c>4h 5m</c>, <c>5m 6s</c>, <c>6s</c>.</summary>
    internal static string Uptime(long seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h"
            : t.TotalHours >= 1 ? $"{t.Hours}h {t.Minutes}m"
            : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds}s"
            : $"{t.Seconds}s";
    }

    private static string Count(long value) => value.ToString("N0", Invariant);

    private static string Esc(string text) => Markup.Escape(text);
}
