// A service whose organizations are LLM tenants: it registers one with the cluster at run time, asks its support
// agent a question on the organization's behalf, then prints what the organization has used and has left today.
//
//   dotnet run --project silo                                # the cluster, in another terminal
//   dotnet run --project client/samples/support-agent [slug]
//
// The gateway defaults to the embedded silo's (127.0.0.1:30000); TenancyClient__Gateways__0=host:port changes it.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Client;
using OrleansTenancy.GrainInterfaces;
using SupportAgentSample;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddOrleansTenancyClient();
builder.Services.AddLlmTenant<Organization>(tenant => tenant
    .Id(o => o.Slug)
    .Name(o => o.DisplayName)
    .Limits(limits => limits.DailyCost(1m).MonthlyCost(20m))
    .Enforcement(Enforcement.Hard));
builder.Services.AddAgent<SupportAgent>();

using var host = builder.Build();
await host.StartAsync();

var organization = new Organization(
    Slug: args.FirstOrDefault(a => !a.StartsWith('-')) ?? "sample-" + Guid.NewGuid().ToString("N")[..8],
    DisplayName: "Sample Organization");
var tenants = host.Services.GetRequiredService<ILlmTenants>();

var ensured = await tenants.EnsureLlmTenantAsync(organization);
var tenant = ensured.Tenant;
Console.WriteLine($"Tenant {tenant.Id} ({tenant.Name}) {(ensured.Created ? "registered" : "already registered; linked")}.");

var agent = host.Services.GetRequiredService<SupportAgent>();
var answer = await agent.CallAsync("How do I reset my password?", tenant: organization);
Console.WriteLine($"{agent.Name} ({answer.Model}): {answer.Text}");

var today = await tenant.GetUsageSummaryAsync(UsageQuery.Today);
var remaining = await tenant.GetRemainingBudgetAsync(BudgetPeriod.Day);
var within = await tenant.IsWithinBudgetAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Usage today: ${today.CostUsd} over {today.Executions} execution(s), {today.Tokens} tokens."));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Remaining budget today: ${remaining} of ${tenant.Options.Limits.DailyCost:0.##}; within budget: {within}."));

await host.StopAsync();

namespace SupportAgentSample
{
    /// <summary>An organization of the service: an LLM tenant whose id is its slug.</summary>
    public sealed record Organization(string Slug, string DisplayName);

    /// <summary>Answers customers' questions briefly, on the organization's budget.</summary>
    public sealed class SupportAgent(ILlmTenants tenants) : Agent(tenants)
    {
        public override string? Model => "openai/gpt-4o-mini";

        public override string? SystemPrompt => "You are a support agent. Answer in two sentences at most.";

        public override int? MaxTokens => 200;
    }
}
