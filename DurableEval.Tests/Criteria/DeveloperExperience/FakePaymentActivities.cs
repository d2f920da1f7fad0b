using DurableEval.Workflows.DeveloperExperience;
using Temporalio.Activities;

namespace DurableEval.Tests.Criteria;

/// <summary>A test double registered under the production activity's name; the workflow code is unchanged.</summary>
public sealed class FakePaymentActivities
{
    public int Calls { get; private set; }

    [Activity(PaymentActivities.ChargeName)]
    public Task<string> ChargeAsync(int cents)
    {
        Calls++;
        return Task.FromResult($"fake charge of {cents}");
    }
}
