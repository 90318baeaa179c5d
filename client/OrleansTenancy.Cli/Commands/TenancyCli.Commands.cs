using System.CommandLine;
using System.Globalization;
using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Rendering;

namespace OrleansTenancy.Cli.Commands;

/// <content>One factory per command.</content>
public static partial class TenancyCli
{
    private static Argument<string> TenantArgument() => new("tenant") { Description = "The tenant slug (see `tenancy tenants`)." };

    /// <summary>A command whose only argument is the tenant: <c>tenancy &lt;name&gt; &lt;tenant&gt;</c>.</summary>
    private static Command TenantCommand<T>(GlobalOptions g, string name, string description, Func<string, CliRequest<T>> request)
    {
        var tenant = TenantArgument();
        var command = new Command(name, description) { tenant };
        g.Run(command, parsed => request(parsed.GetRequiredValue(tenant)));
        return command;
    }

    private static Command ReloadCommand(GlobalOptions g)
    {
        var command = new Command("reload", "Make the silo re-read its tenants folder now, then list the result.");
        g.Run(command, _ => new CliRequest<TenantsReport>(
            "Reloading the tenants folder",
            (client, _, ct) => client.ReloadTenantsAsync(ct),
            AdminRenderer.Tenants));
        return command;
    }

    private static Command UsageCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var period = new Option<string?>("--period") { Description = "today (default), yesterday, this-week or this-month; the current week and month end today." };
        period.AcceptOnlyFromAmong("today", "yesterday", "this-week", "this-month", "this_week", "this_month");
        var from = new Option<string?>("--from") { Description = "First local date, YYYY-MM-DD (with --to)." };
        var to = new Option<string?>("--to") { Description = "Last local date, YYYY-MM-DD, included (with --from)." };
        var command = new Command("usage", "Usage totals with per-model, per-workspace and per-day breakdowns, in the tenant's time zone.") { tenant, period, from, to };
        g.Run(command, parsed =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var (p, f, t) = (parsed.GetValue(period), parsed.GetValue(from), parsed.GetValue(to));
            if (f is null && t is null)
            {
                var named = (p ?? "today").Replace('-', '_');
                return new CliRequest<UsageReport>($"Reading {slug}'s usage ({named})", (client, _, ct) => client.GetUsageAsync(slug, named, ct), AdminRenderer.Usage);
            }

            if (p is not null || f is null || t is null)
            {
                throw new CliUsageException("Use either --period, or --from and --to together (YYYY-MM-DD).");
            }

            var (first, last) = (ParseDate("--from", f), ParseDate("--to", t));
            return new CliRequest<UsageReport>($"Reading {slug}'s usage ({f} to {t})", (client, _, ct) => client.GetUsageAsync(slug, first, last, ct), AdminRenderer.Usage);
        });
        return command;
    }

    private static Command ExecutionsCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var pageSize = new Option<int>("--page-size") { Description = "Rows per page (1–200).", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a previous page." };
        var all = new Option<bool>("--all") { Description = "Follow cursors to the last page." };
        var command = new Command("executions", "Request outcomes, newest first.") { tenant, pageSize, cursor, all };
        g.Run(command, parsed =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var size = parsed.GetValue(pageSize);
            if (size is < 1 or > 200)
            {
                throw new CliUsageException($"--page-size must be between 1 and 200, not {size}.");
            }

            var start = parsed.GetValue(cursor);
            return parsed.GetValue(all)
                ? new CliRequest<ExecutionPage>($"Reading {slug}'s executions", (client, report, ct) => client.ListAllExecutionsAsync(slug, size, start, report, ct), AdminRenderer.Executions)
                : new CliRequest<ExecutionPage>($"Reading {slug}'s executions", (client, _, ct) => client.ListExecutionsAsync(slug, size, start, ct), AdminRenderer.Executions);
        });
        return command;
    }

    private static Command ReconcileCommand(GlobalOptions g) => TenantCommand(
        g, "reconcile", "Recompute the tenant's day and month counters from the usage ledger.",
        slug => new CliRequest<ReconcileReport>(
            $"Reconciling {slug} with the usage ledger",
            (client, _, ct) => client.ReconcileAsync(slug, ct),
            (console, report) => AdminRenderer.Reconcile(console, slug, report)));

    private static Command HealthCommand(GlobalOptions g)
    {
        var command = new Command("health", "Check that the silo answers, and how many tenants and load problems it has.");
        g.Run(command, _ =>
        {
            Uri? silo = null;
            return new CliRequest<HealthReport>(
                "Asking the silo",
                (client, _, ct) =>
                {
                    silo = client.BaseAddress;
                    return client.GetHealthAsync(ct);
                },
                (console, health) => AdminRenderer.Health(console, silo!, health));
        });
        return command;
    }

    private static Command ClusterCommand(GlobalOptions g)
    {
        var command = new Command("cluster", "List the silos: address, status, uptime, activations, and whether their tenants differ.");
        g.Run(command, _ => new CliRequest<ClusterReport>(
            "Asking every silo",
            (client, _, ct) => client.GetClusterAsync(ct),
            AdminRenderer.Cluster));
        return command;
    }

    private static DateOnly ParseDate(string option, string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new CliUsageException($"{option} '{text}' is not a date; use YYYY-MM-DD, e.g. 2026-01-31.");
}
