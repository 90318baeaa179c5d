using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Rendering;
using Spectre.Console;

namespace OrleansTenancy.Cli.Commands;

/// <content>One factory per command.</content>
public static partial class TenancyCli
{
    private static Argument<string> TenantArgument() => new("tenant") { Description = "The tenant slug (see `tenancy tenants`)." };

    private static Command TenantsCommand(GlobalOptions g)
    {
        var command = new Command("tenants", "List tenants, workspaces, guilds, effective limits and load errors.");
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var response = await client.ListTenantsAsync(ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Tenants(g.Console, r));
        }, ct));
        return command;
    }

    private static Command ReloadCommand(GlobalOptions g)
    {
        var command = new Command("reload", "Make the silo re-read its tenants folder now, then list the result.");
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var response = await client.ReloadTenantsAsync(ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Tenants(g.Console, r));
        }, ct));
        return command;
    }

    private static Command BudgetCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var command = new Command("budget", "Show every limit of a tenant with spent, reserved, remaining, percent used, reset time and forecast.") { tenant };
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var response = await client.GetBudgetAsync(parsed.GetRequiredValue(tenant), ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Budget(g.Console, r));
        }, ct));
        command.Add(BudgetSetCommand(g));
        command.Add(BudgetClearCommand(g));
        return command;
    }

    private static Command BudgetSetCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var dailyCap = new Option<decimal?>("--daily-cap-usd") { Description = "Calendar-day cost cap in USD." };
        var monthlyCap = new Option<decimal?>("--monthly-cap-usd") { Description = "Calendar-month cost cap in USD." };
        var dailyTokens = new Option<long?>("--daily-tokens") { Description = "Calendar-day token cap." };
        var monthlyTokens = new Option<long?>("--monthly-tokens") { Description = "Calendar-month token cap." };
        var dailyExecutions = new Option<long?>("--daily-executions") { Description = "Calendar-day cap on executions." };
        var monthlyExecutions = new Option<long?>("--monthly-executions") { Description = "Calendar-month cap on executions." };
        var maxPerRequest = new Option<decimal?>("--max-per-request") { Description = "Largest worst-case cost in USD one request may reserve." };
        var enforcement = new Option<string?>("--enforcement") { Description = "none, soft or hard." };
        enforcement.AcceptOnlyFromAmong("none", "soft", "hard");
        var thresholds = new Option<decimal[]?>("--alert-thresholds")
        {
            Description = "Soft-alert thresholds in percent, e.g. --alert-thresholds 50 80 100.",
            AllowMultipleArgumentsPerToken = true,
        };
        var inherit = new Option<bool?>("--inherit-global") { Description = "Whether unset limits fall back to the global defaults (true|false)." };
        var command = new Command("set", "Set a runtime override of the tenant's YAML limits (persisted by the silo); limits left out keep their YAML value.")
        {
            tenant, dailyCap, monthlyCap, dailyTokens, monthlyTokens, dailyExecutions, monthlyExecutions, maxPerRequest, enforcement, thresholds, inherit,
        };
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var limits = new BudgetLimits
            {
                DailyCapUsd = parsed.GetValue(dailyCap),
                MonthlyCapUsd = parsed.GetValue(monthlyCap),
                DailyTokens = parsed.GetValue(dailyTokens),
                MonthlyTokens = parsed.GetValue(monthlyTokens),
                DailyExecutions = parsed.GetValue(dailyExecutions),
                MonthlyExecutions = parsed.GetValue(monthlyExecutions),
                MaxPerRequest = parsed.GetValue(maxPerRequest),
                Enforcement = parsed.GetValue(enforcement),
                AlertThresholds = parsed.GetValue(thresholds) is { Length: > 0 } t ? t : null,
                InheritGlobal = parsed.GetValue(inherit),
            };
            if (limits == new BudgetLimits())
            {
                throw new CliUsageException("Give at least one limit to set, e.g. `tenancy budget set acme --daily-cap-usd 10 --enforcement hard`; `tenancy budget clear acme` removes the override.");
            }

            var response = await client.SetBudgetAsync(parsed.GetRequiredValue(tenant), limits, ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Budget(g.Console, r));
        }, ct));
        return command;
    }

    private static Command BudgetClearCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var command = new Command("clear", "Remove the runtime override; the tenant's YAML limits apply again.") { tenant };
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var response = await client.ClearBudgetAsync(parsed.GetRequiredValue(tenant), ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Budget(g.Console, r));
        }, ct));
        return command;
    }

    private static Command UsageCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var period = new Option<string?>("--period") { Description = "today (default), yesterday, this-week or this-month." };
        period.AcceptOnlyFromAmong("today", "yesterday", "this-week", "this-month", "this_week", "this_month");
        var from = new Option<string?>("--from") { Description = "First local date, YYYY-MM-DD (with --to)." };
        var to = new Option<string?>("--to") { Description = "Last local date, YYYY-MM-DD, included (with --from)." };
        var command = new Command("usage", "Usage totals with per-model, per-workspace and per-day breakdowns.") { tenant, period, from, to };
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var (p, f, t) = (parsed.GetValue(period), parsed.GetValue(from), parsed.GetValue(to));
            AdminResponse<UsageReport> response;
            if (f is null && t is null)
            {
                response = await client.GetUsageAsync(slug, (p ?? "today").Replace('-', '_'), ct).ConfigureAwait(false);
            }
            else
            {
                if (p is not null || f is null || t is null)
                {
                    throw new CliUsageException("Use either --period, or --from and --to together (YYYY-MM-DD).");
                }

                response = await client.GetUsageAsync(slug, ParseDate("--from", f), ParseDate("--to", t), ct).ConfigureAwait(false);
            }

            Print(g, json, response, r => AdminRenderer.Usage(g.Console, r));
        }, ct));
        return command;
    }

    private static Command ExecutionsCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var pageSize = new Option<int>("--page-size") { Description = "Rows per page (1–200).", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a previous page." };
        var all = new Option<bool>("--all") { Description = "Follow cursors to the last page." };
        var command = new Command("executions", "Request outcomes, newest first.") { tenant, pageSize, cursor, all };
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var size = parsed.GetValue(pageSize);
            if (size is < 1 or > 200)
            {
                throw new CliUsageException($"--page-size must be between 1 and 200, not {size}.");
            }

            if (!parsed.GetValue(all))
            {
                var page = await client.ListExecutionsAsync(slug, size, parsed.GetValue(cursor), ct).ConfigureAwait(false);
                Print(g, json, page, r => AdminRenderer.Executions(g.Console, r.Items, r.NextCursor));
                return;
            }

            var pages = await FollowAllAsync(json ? null : g.Console, client, slug, size, parsed.GetValue(cursor), ct).ConfigureAwait(false);
            if (json)
            {
                g.Console.Profile.Out.Writer.WriteLine(CombinePages(pages));
            }
            else
            {
                AdminRenderer.Executions(g.Console, [.. pages.SelectMany(p => p.Value.Items)], null);
            }
        }, ct));
        return command;
    }

    private static Command ReconcileCommand(GlobalOptions g)
    {
        var tenant = TenantArgument();
        var command = new Command("reconcile", "Recompute the tenant's day and month counters from the usage ledger.") { tenant };
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var response = await client.ReconcileAsync(slug, ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Reconcile(g.Console, slug, r));
        }, ct));
        return command;
    }

    private static Command HealthCommand(GlobalOptions g)
    {
        var command = new Command("health", "Check that the silo answers, and how many tenants and load problems it has.");
        command.SetAction((parsed, ct) => g.RunAsync(parsed, async (client, json) =>
        {
            var response = await client.GetHealthAsync(ct).ConfigureAwait(false);
            Print(g, json, response, r => AdminRenderer.Health(g.Console, client.BaseAddress, r));
        }, ct));
        return command;
    }

    private static void Print<T>(GlobalOptions g, bool json, AdminResponse<T> response, Action<T> render)
    {
        if (json)
        {
            // Raw writer: JSON must not be wrapped or styled by the console.
            g.Console.Profile.Out.Writer.WriteLine(response.Json);
        }
        else
        {
            render(response.Value);
        }
    }

    private static DateOnly ParseDate(string option, string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new CliUsageException($"{option} '{text}' is not a date; use YYYY-MM-DD, e.g. 2026-01-31.");

    /// <summary>Reads pages until the last one; with a console, shows the running count (left out for <c>--json</c> so stdout stays JSON).</summary>
    private static async Task<List<AdminResponse<ExecutionPage>>> FollowAllAsync(
        IAnsiConsole? progress, TenancyAdminClient client, string tenant, int pageSize, string? cursor, CancellationToken ct)
    {
        var pages = new List<AdminResponse<ExecutionPage>>();
        async Task FetchAsync(StatusContext? context)
        {
            do
            {
                var page = await client.ListExecutionsAsync(tenant, pageSize, cursor, ct).ConfigureAwait(false);
                pages.Add(page);
                cursor = page.Value.NextCursor;
                context?.Status($"Fetched {pages.Sum(p => p.Value.Items.Count)} executions in {pages.Count} page(s)…");
            }
            while (cursor is not null);
        }

        if (progress is null)
        {
            await FetchAsync(null).ConfigureAwait(false);
        }
        else
        {
            await progress.Status().StartAsync("Fetching executions…", FetchAsync).ConfigureAwait(false);
        }

        return pages;
    }

    private static string CombinePages(List<AdminResponse<ExecutionPage>> pages)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var page in pages)
            {
                using var document = JsonDocument.Parse(page.Json);
                foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
                {
                    item.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
