using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// The agent's tools as Microsoft.Extensions.AI functions (AIFunctionFactory): the model sees their declarations,
/// the tool activity invokes them. Each tool's behaviour under retry is driven by the activity attempt, so faults are
/// Temporal's to handle, not the tool's.
/// </summary>
public sealed class AgentToolbox
{
    public const string Weather = "get_weather";
    public const string OrderStatus = "lookup_order";
    public const string Search = "web_search";
    public const string Calculator = "calculator";
    public const string FlakyInventory = "check_inventory";
    public const string SlowPricing = "get_live_price";
    public const string CachedPricing = "get_cached_price";
    public const string ParseDate = "parse_date";

    /// <summary>How many attempts the flaky tool fails before it answers.</summary>
    public const int FlakyFailures = 2;

    /// <summary>How long the hung tool hangs if nothing cancels it: far beyond its timeout.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);

    private readonly Dictionary<string, AIFunction> functions;

    public AgentToolbox()
    {
        functions = new AIFunction[]
        {
            AIFunctionFactory.Create((string city) => WeatherIn(city), Weather, "Current weather for a city"),
            AIFunctionFactory.Create((string orderId) => OrderState(orderId), OrderStatus, "Shipping state of an order"),
            AIFunctionFactory.Create((string query) => SearchResult(query), Search, "Searches the web"),
            AIFunctionFactory.Create((string expression) => Calculate(expression), Calculator, "Evaluates a sum like 2+3"),
            AIFunctionFactory.Create((string sku) => Inventory(sku), FlakyInventory, "Units in stock for a SKU (a flaky service)"),
            AIFunctionFactory.Create((string sku, CancellationToken cancellation) => LivePriceAsync(sku, cancellation), SlowPricing, "Live price for a SKU (a service that can hang)"),
            AIFunctionFactory.Create((string sku) => CachedPrice(sku), CachedPricing, "Last known price for a SKU"),
            AIFunctionFactory.Create((string text) => Date(text), ParseDate, "Parses an ISO date"),
        }.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public static string WeatherIn(string city) => $"{city}: {10 + (city.Length % 7)}C, clear";

    public static string OrderState(string orderId) => $"order {orderId}: shipped";

    public static string SearchResult(string query) => $"top result for '{query}'";

    public static string Calculate(string expression) =>
        expression.Split('+').Sum(p => int.Parse(p.Trim(), CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);

    public static string Inventory(string sku)
    {
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        if (attempt <= FlakyFailures)
        {
            throw new InvalidOperationException($"inventory service unavailable (attempt {attempt})");
        }

        return InStock(sku);
    }

    public static string InStock(string sku) => $"{sku}: 7 in stock";

    public static async Task<string> LivePriceAsync(string sku, CancellationToken cancellation)
    {
        await Task.Delay(Hang, cancellation);
        return $"{sku}: 21.50 (live)";
    }

    public static string CachedPrice(string sku) => $"{sku}: 19.99 (cached)";

    public static string Date(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture)
            : throw new ApplicationFailureException($"'{text}' is not an ISO date", "InvalidArguments", nonRetryable: true);

    /// <summary>The tools as declarations only: the model may propose calls, nothing can invoke them in-process.</summary>
    public IList<AITool> Declarations(IEnumerable<string> names) =>
        names.Select(n => (AITool)AIFunctionFactory.CreateDeclaration(functions[n].Name, functions[n].Description, functions[n].JsonSchema)).ToList();

    /// <summary>Invokes a tool with the model's JSON arguments; exceptions surface unwrapped.</summary>
    public async Task<string> InvokeAsync(string name, string argumentsJson, CancellationToken cancellation)
    {
        if (!functions.TryGetValue(name, out var function))
        {
            throw new ApplicationFailureException($"unknown tool '{name}'", "UnknownTool", nonRetryable: true);
        }

        var arguments = new AIFunctionArguments(JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson, AIJsonUtilities.DefaultOptions));
        object? result;
        try
        {
            result = await function.InvokeAsync(arguments, cancellation);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }

        return result switch
        {
            JsonElement { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
            JsonElement other => other.GetRawText(),
            null => "",
            _ => result.ToString() ?? "",
        };
    }
}
