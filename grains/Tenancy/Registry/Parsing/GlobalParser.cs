using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>Parses <c>_global.yaml</c>, the defaults every tenant inherits.</summary>
internal static class GlobalParser
{
    public const string FileName = "_global.yaml";

    /// <summary>Returns the parsed defaults, or <see langword="null"/> when the file has errors.</summary>
    public static GlobalDefaults? Parse(string path, TenantFileReader files, List<TenantProblem> problems)
    {
        var sink = new ProblemSink(path, null, problems);
        var root = files.ReadRoot(path, sink);
        if (root is null || MappingReader.Open(root, FileName, sink, SchemaKeys.Global) is not { } map)
        {
            return null;
        }

        var routing = RoutingSettings.Empty;
        if (map.Node("routing") is { } routingNode && MappingReader.Open(routingNode, $"'routing' in {FileName}", sink, SchemaKeys.Routing) is { } routingMap)
        {
            routing = SectionParser.Routing(routingMap, inheritedAllowed: null);
        }

        var budgets = new BudgetLimits();
        if (map.Node("budgets") is { } budgetNode && MappingReader.Open(budgetNode, $"'budgets' in {FileName}", sink, SchemaKeys.Budget) is { } budgetMap)
        {
            budgets = SectionParser.Budgets(budgetMap);
            if (budgets.InheritGlobal is not null)
            {
                sink.Error(budgetMap.KeyNode("inherit_global")!, $"'inherit_global' has no meaning in {FileName}; set it in a tenant's budgets.yaml.");
            }
        }

        var policy = PolicySettings.Empty;
        if (map.Node("policy") is { } policyNode && MappingReader.Open(policyNode, $"'policy' in {FileName}", sink, SchemaKeys.Policy) is { } policyMap)
        {
            policy = SectionParser.Policy(policyMap);
        }

        var pricing = new Dictionary<string, Pricing.ModelPrice>(StringComparer.Ordinal);
        Pricing.ModelPrice? unknownModel = null;
        if (map.Node("pricing") is { } pricingNode)
        {
            var (prices, unknown) = SectionParser.Pricing(pricingNode, FileName, sink, allowUnknownModel: true);
            foreach (var (model, price) in prices)
            {
                pricing[model] = price;
            }

            unknownModel = unknown;
        }

        foreach (var (model, price) in routing.Pricing ?? new Dictionary<string, Pricing.ModelPrice>())
        {
            if (!pricing.TryAdd(model, price))
            {
                sink.Error(map.Node("routing")!, $"Model '{model}' is priced both in 'pricing' and in 'routing.pricing' of {FileName}; keep one.");
            }
        }

        var webhooks = map.Node("alerts") is { } alerts ? SectionParser.AlertWebhooks(alerts, FileName, sink) : [];
        return sink.ErrorCount > 0
            ? null
            : new GlobalDefaults { AlertWebhooks = webhooks, Budgets = budgets, Routing = routing with { Pricing = null }, Policy = policy, Pricing = pricing, UnknownModelPrice = unknownModel };
    }
}
