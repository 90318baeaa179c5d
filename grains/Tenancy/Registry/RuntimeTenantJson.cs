using System.Text.Json;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// Reads a runtime tenant sent as JSON (<c>POST /admin/tenants</c>, <c>PUT /admin/tenants/{id}</c>): <c>id</c>,
/// <c>name</c>, <c>workspaces</c>, <c>limits</c> (the fields of the budget API, read by <see cref="BudgetLimitsJson"/>),
/// and <c>enforcement</c> and <c>inherit_global</c> beside them. Unknown and repeated fields and wrong types are refused,
/// each problem naming its field; then every rule of <see cref="RuntimeTenants.Problems"/> applies.
/// </summary>
public static class RuntimeTenantJson
{
    /// <summary>The fields a body may hold.</summary>
    public static IReadOnlyList<string> Fields { get; } = ["id", "name", "workspaces", "limits", "enforcement", "inherit_global"];

    /// <summary>Reads <paramref name="root"/>; on any problem returns <see langword="null"/> and adds one message per problem, each naming its field.</summary>
    /// <param name="root">The parsed body.</param>
    /// <param name="routeId">The id of the route (a replace), or <see langword="null"/> (a registration, where <c>id</c> is required).</param>
    /// <param name="problems">Receives the problems: field name (or <c>body</c>) and message.</param>
    public static RuntimeTenant? Read(JsonElement root, string? routeId, ICollection<KeyValuePair<string, string>> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("body", $"The body must be a JSON object, for example {{\"id\": \"acme\", \"limits\": {{\"daily_cap_usd\": 10}}, \"enforcement\": \"hard\"}}, but it is {BudgetLimitsJson.Kind(root)}."));
            return null;
        }

        var before = problems.Count;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? id = null;
        string? name = null;
        List<string> workspaces = [];
        BudgetLimits? limits = null;
        var outer = new BudgetLimits();
        foreach (var property in root.EnumerateObject())
        {
            var field = property.Name;
            var value = property.Value;
            if (!seen.Add(field))
            {
                problems.Add(new(field, $"Field '{field}' appears more than once; send it once."));
                continue;
            }

            switch (field)
            {
                case "id":
                    id = Text(field, value, problems);
                    break;
                case "name":
                    name = Text(field, value, problems);
                    break;
                case "workspaces":
                    workspaces = Keys(field, value, problems);
                    break;
                case "limits" when value.ValueKind == JsonValueKind.Object:
                    limits = BudgetLimitsJson.ReadFields(value, "limits.", problems);
                    break;
                case "limits" when value.ValueKind != JsonValueKind.Null:
                    problems.Add(new(field, $"'limits' must be an object of budget fields, for example {{\"daily_cap_usd\": 10}}, but it is {BudgetLimitsJson.Kind(value)}."));
                    break;
                case "enforcement" or "inherit_global":
                    outer = BudgetLimitsJson.ReadField(outer, field, value, problems);
                    break;
                case "limits":
                    break;
                default:
                    problems.Add(new(field, $"Unknown field '{field}'{Suggest.DidYouMean(field, Fields)}; the fields are: {string.Join(", ", Fields)}."));
                    break;
            }
        }

        if (limits?.Enforcement is not null && outer.Enforcement is not null)
        {
            problems.Add(new("enforcement", "'enforcement' is given both beside and inside 'limits'; give it once."));
        }

        if (limits?.InheritGlobal is not null && outer.InheritGlobal is not null)
        {
            problems.Add(new("inherit_global", "'inherit_global' is given both beside and inside 'limits'; give it once."));
        }

        if (routeId is null && id is null && !problems.Any(p => p.Key == "id"))
        {
            problems.Add(new("id", "'id' is required: the tenant slug, for example \"acme\"."));
        }
        else if (routeId is not null && id is not null && id != routeId)
        {
            problems.Add(new("id", $"'id' is '{id}' but the route names '{routeId}'; leave it out or make them equal (an id is never renamed)."));
        }

        if (problems.Count > before)
        {
            return null;
        }

        var budget = limits is null && outer.Enforcement is null && outer.InheritGlobal is null
            ? null
            : (limits ?? new BudgetLimits()) with
            {
                Enforcement = limits?.Enforcement ?? outer.Enforcement,
                InheritGlobal = limits?.InheritGlobal ?? outer.InheritGlobal,
            };
        var tenant = new RuntimeTenant(id ?? routeId!, name, workspaces, budget);
        foreach (var problem in RuntimeTenants.Problems(tenant))
        {
            problems.Add(problem);
        }

        return problems.Count > before ? null : tenant;
    }

    private static string? Text(string field, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Null:
                return null;
            default:
                problems.Add(new(field, $"'{field}' must be text, but it is {BudgetLimitsJson.Kind(value)}."));
                return null;
        }
    }

    private static List<string> Keys(string field, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new(field, $"'{field}' must be a list of workspace keys, for example [\"main\", \"staff\"], but it is {BudgetLimitsJson.Kind(value)}."));
            return [];
        }

        var keys = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                problems.Add(new($"{field}[{index}]", $"Each of '{field}' must be a workspace key as text, but '{field}[{index}]' is {BudgetLimitsJson.Kind(item)}."));
            }
            else
            {
                keys.Add(item.GetString()!);
            }

            index++;
        }

        return keys;
    }
}
