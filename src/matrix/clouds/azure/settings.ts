/**
 * Azure's part of the infrastructure model: where AKS stacks keep state (an azurerm backend: storage
 * account, container, resource group) and the subscription each environment uses. Types only.
 */

/** `terraform.azure`: without it, Azure clusters get no stacks. */
export interface AzureTerraformSettings {
  /** azurerm backend: one blob per stack (`<keyPrefix>/<env>/azure/<region>/terraform.tfstate`). */
  readonly state: {
    readonly storageAccount: string;
    readonly container: string;
    /** Resource group of the storage account. */
    readonly resourceGroup: string;
    /** @default 'envmatrix' */
    readonly keyPrefix?: string;
  };
  /**
   * Subscription id (GUID) for every environment, or one per environment name.
   * @default none: the provider reads ARM_SUBSCRIPTION_ID (azurerm 4 requires one or the other)
   */
  readonly subscriptionId?: string | Readonly<Record<string, string>>;
}

export interface ResolvedAzureSettings {
  readonly state: {
    readonly storageAccount: string;
    readonly container: string;
    readonly resourceGroup: string;
    readonly keyPrefix: string;
  };
  readonly subscriptionIds: Readonly<Record<string, string>>;
}
