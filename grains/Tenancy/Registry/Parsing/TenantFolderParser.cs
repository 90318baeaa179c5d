using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>
/// Parses one tenant folder into a <see cref="TenantDefinition"/>. Every problem is collected; the
/// definition is returned only when no file of the tenant has an error.
/// </summary>
internal static partial class TenantFolderParser
{
    public static TenantDefinition? Parse(string folder, string slug, GlobalDefaults global, TenantFileReader files, List<TenantProblem> problems)
    {
        var errorsBefore = problems.Count(p => p.Severity == ProblemSeverity.Error);
        CheckFileNames(folder, slug, problems);

        // The optional files do not depend on tenant.yaml, so they are checked even when it is missing or
        // broken: the validator reports every problem of a folder in one run.
        var routing = ReadOptional(files, folder, "routing.yaml", slug, problems, SchemaKeys.Routing, m =>
        {
            var parsed = SectionParser.Routing(m, global.Routing.AllowedModels);
            CheckInheritedModels(parsed, global.Routing.Models, m, "routing.yaml", "the global models in _global.yaml");
            return parsed;
        }) ?? RoutingSettings.Empty;
        var budgetFile = ReadOptional(files, folder, "budgets.yaml", slug, problems, SchemaKeys.BudgetFile, ReadBudgetFile);
        var policy = ReadOptional(files, folder, "policy_overrides.yaml", slug, problems, SchemaKeys.Policy, SectionParser.Policy) ?? PolicySettings.Empty;
        routing = MergePricing(routing, budgetFile.Map, Path.Combine(folder, "budgets.yaml"), slug, problems);
        var budgets = budgetFile.Limits ?? new BudgetLimits();
        if (budgetFile.Map is { } budgetMap)
        {
            SectionParser.CheckMergedOrder(budgets, new BudgetLimits(), global.Budgets, budgetMap.Mapping, "budgets.yaml", budgetMap.Sink);
        }

        var tenantPath = Path.Combine(folder, "tenant.yaml");
        var tenantSink = new ProblemSink(tenantPath, slug, problems);
        TenantDefinition? tenant = null;
        if (!File.Exists(tenantPath))
        {
            tenantSink.Error(0, 0, $"Tenant folder '{slug}' has no tenant.yaml; add one describing the tenant and its workspaces (see tenants/README.md).");
        }
        else if (files.ReadRoot(tenantPath, tenantSink) is { } root
                 && MappingReader.Open(root, "tenant.yaml", tenantSink, SchemaKeys.Tenant) is { } map)
        {
            var inherited = new Inherited(
                routing.AllowedModels ?? global.Routing.AllowedModels, Merge(global.Routing.Models, routing.Models), budgets, global.Budgets);
            tenant = ParseTenant(map, folder, slug, inherited, files.Limits) with
            {
                Routing = routing,
                Budgets = budgets,
                Policy = policy,
            };
        }

        var errorsAfter = problems.Count(p => p.Severity == ProblemSeverity.Error);
        return errorsAfter == errorsBefore ? tenant : null;
    }

    private static (BudgetLimits? Limits, MappingReader? Map) ReadBudgetFile(MappingReader map) => (SectionParser.Budgets(map), map);

    private static T? ReadOptional<T>(TenantFileReader files, string folder, string fileName, string slug, List<TenantProblem> problems, string[] keys, Func<MappingReader, T> parse)
    {
        var path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
        {
            return default;
        }

        var sink = new ProblemSink(path, slug, problems);
        var root = files.ReadRoot(path, sink);
        var map = root is null ? null : MappingReader.Open(root, fileName, sink, keys);
        return map is null ? default : parse(map);
    }

    private static RoutingSettings MergePricing(RoutingSettings routing, MappingReader? budgetMap, string budgetPath, string slug, List<TenantProblem> problems)
    {
        var pricingNode = budgetMap?.Node("pricing");
        if (budgetMap is null || pricingNode is null)
        {
            return routing;
        }

        var sink = new ProblemSink(budgetPath, slug, problems);
        var (prices, _) = SectionParser.Pricing(pricingNode, "budgets.yaml", sink, allowUnknownModel: false);
        var merged = new Dictionary<string, Pricing.ModelPrice>(routing.Pricing ?? new Dictionary<string, Pricing.ModelPrice>(), StringComparer.Ordinal);
        foreach (var (model, price) in prices)
        {
            if (!merged.TryAdd(model, price))
            {
                sink.Error(pricingNode, $"Model '{model}' is priced in both routing.yaml and budgets.yaml; keep one price.");
            }
        }

        return routing with { Pricing = merged };
    }

    private static void CheckFileNames(string folder, string slug, List<TenantProblem> problems)
    {
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(folder).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new TenantProblem(folder, 0, 0, ProblemSeverity.Error, $"The tenant folder cannot be listed ({ex.Message}).", slug));
            return;
        }

        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var extension = Path.GetExtension(name);
            if (name.StartsWith('.') || !(extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (Array.IndexOf(SchemaKeys.TenantFiles, name) < 0)
            {
                problems.Add(new TenantProblem(Path.Combine(folder, name), 0, 0, ProblemSeverity.Error,
                    $"Unknown tenant file '{name}'{Suggest.DidYouMean(name, SchemaKeys.TenantFiles)}; a tenant folder holds only {string.Join(", ", SchemaKeys.TenantFiles)}.", slug));
            }
        }
    }

    private static IReadOnlyDictionary<string, string>? Merge(IReadOnlyDictionary<string, string>? lower, IReadOnlyDictionary<string, string>? higher)
    {
        if (lower is null || higher is null)
        {
            return higher ?? lower;
        }

        var merged = new Dictionary<string, string>(lower, StringComparer.Ordinal);
        foreach (var (key, value) in higher)
        {
            merged[key] = value;
        }

        return merged;
    }
}
