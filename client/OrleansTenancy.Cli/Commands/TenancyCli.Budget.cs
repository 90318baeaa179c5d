using System.CommandLine;
using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Rendering;

namespace OrleansTenancy.Cli.Commands;

/// <content><c>tenancy budget show|set|clear</c>.</content>
public static partial class TenancyCli
{
    private static Command BudgetCommand(GlobalOptions g)
    {
        var command = new Command("budget", "Show or change a tenant's budget: its limits, their usage and the runtime override of its YAML limits.");
        command.Add(BudgetShowCommand(g));
        command.Add(BudgetSetCommand(g));
        command.Add(BudgetClearCommand(g));
        return command;
    }

    private static Command BudgetShowCommand(GlobalOptions g) => TenantCommand(
        g, "show", "Every limit of a tenant with spent, reserved, remaining, percent used, reset time and forecast.",
        slug => new CliRequest<BudgetReport>($"Reading {slug}'s budget", (client, _, ct) => client.GetBudgetAsync(slug, ct), AdminRenderer.Budget));

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
            Description = "Soft-alert thresholds in percent, e.g. --alert-thresholds 50 80 100 (replaces the list).",
            AllowMultipleArgumentsPerToken = true,
        };
        var inherit = new Option<bool?>("--inherit-global") { Description = "Whether unset limits fall back to the global defaults (true|false)." };
        var replace = new Option<bool>("--replace") { Description = "Replace the whole override with the limits given; the override's other limits are dropped." };
        var command = new Command(
            "set",
            "Change limits in the tenant's runtime override (persisted by the silo). The limits given change; the override's "
            + "other limits are kept (the override is read, merged and written back); limits in no override keep their YAML value.")
        {
            tenant, dailyCap, monthlyCap, dailyTokens, monthlyTokens, dailyExecutions, monthlyExecutions, maxPerRequest, enforcement, thresholds, inherit, replace,
        };
        g.Run(command, parsed =>
        {
            var slug = parsed.GetRequiredValue(tenant);
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

            return parsed.GetValue(replace)
                ? new CliRequest<BudgetReport>($"Replacing {slug}'s budget override", (client, _, ct) => client.SetBudgetAsync(slug, limits, ct), AdminRenderer.Budget)
                : new CliRequest<BudgetReport>($"Updating {slug}'s budget override", (client, _, ct) => client.UpdateBudgetAsync(slug, limits, ct), AdminRenderer.Budget);
        });
        return command;
    }

    private static Command BudgetClearCommand(GlobalOptions g) => TenantCommand(
        g, "clear", "Remove the runtime override; the tenant's YAML limits apply again.",
        slug => new CliRequest<BudgetReport>($"Removing {slug}'s budget override", (client, _, ct) => client.ClearBudgetAsync(slug, ct), AdminRenderer.Budget));
}
