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
        var limitOptions = new LimitOptions();
        var replace = new Option<bool>("--replace") { Description = "Replace the whole override with the limits given; the override's other limits are dropped." };
        var command = new Command(
            "set",
            "Change limits in the tenant's runtime override (persisted by the silo). The limits given change; the override's "
            + "other limits are kept (the override is read, merged and written back); limits in no override keep their YAML value.")
        {
            tenant, replace,
        };
        limitOptions.AddTo(command);
        g.Run(command, parsed =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var limits = limitOptions.Read(parsed);
            if (limits is null)
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

    /// <summary>The limit options of <c>budget set</c> and <c>tenants add|update</c>: the fields of <c>budgets.yaml</c>.</summary>
    private sealed class LimitOptions
    {
        private readonly Option<decimal?> _dailyCap = new("--daily-cap-usd") { Description = "Calendar-day cost cap in USD." };
        private readonly Option<decimal?> _monthlyCap = new("--monthly-cap-usd") { Description = "Calendar-month cost cap in USD." };
        private readonly Option<long?> _dailyTokens = new("--daily-tokens") { Description = "Calendar-day token cap." };
        private readonly Option<long?> _monthlyTokens = new("--monthly-tokens") { Description = "Calendar-month token cap." };
        private readonly Option<long?> _dailyExecutions = new("--daily-executions") { Description = "Calendar-day cap on executions." };
        private readonly Option<long?> _monthlyExecutions = new("--monthly-executions") { Description = "Calendar-month cap on executions." };
        private readonly Option<decimal?> _maxPerRequest = new("--max-per-request") { Description = "Largest worst-case cost in USD one request may reserve." };
        private readonly Option<string?> _enforcement = new("--enforcement") { Description = "none, soft or hard." };
        private readonly Option<decimal[]?> _thresholds = new("--alert-thresholds")
        {
            Description = "Soft-alert thresholds in percent, e.g. --alert-thresholds 50 80 100 (replaces the list).",
            AllowMultipleArgumentsPerToken = true,
        };

        private readonly Option<bool?> _inherit = new("--inherit-global") { Description = "Whether unset limits fall back to the global defaults (true|false)." };

        public LimitOptions() => _enforcement.AcceptOnlyFromAmong("none", "soft", "hard");

        public void AddTo(Command command)
        {
            command.Add(_dailyCap);
            command.Add(_monthlyCap);
            command.Add(_dailyTokens);
            command.Add(_monthlyTokens);
            command.Add(_dailyExecutions);
            command.Add(_monthlyExecutions);
            command.Add(_maxPerRequest);
            command.Add(_enforcement);
            command.Add(_thresholds);
            command.Add(_inherit);
        }

        /// <summary>The limits given, or <see langword="null"/> when none was.</summary>
        public BudgetLimits? Read(ParseResult parsed)
        {
            var limits = new BudgetLimits
            {
                DailyCapUsd = parsed.GetValue(_dailyCap),
                MonthlyCapUsd = parsed.GetValue(_monthlyCap),
                DailyTokens = parsed.GetValue(_dailyTokens),
                MonthlyTokens = parsed.GetValue(_monthlyTokens),
                DailyExecutions = parsed.GetValue(_dailyExecutions),
                MonthlyExecutions = parsed.GetValue(_monthlyExecutions),
                MaxPerRequest = parsed.GetValue(_maxPerRequest),
                Enforcement = parsed.GetValue(_enforcement),
                AlertThresholds = parsed.GetValue(_thresholds) is { Length: > 0 } t ? t : null,
                InheritGlobal = parsed.GetValue(_inherit),
            };
            return limits == new BudgetLimits() ? null : limits;
        }
    }
}
