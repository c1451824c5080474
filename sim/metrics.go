package sim

// The metric registry: every KPI is declared here once (name, unit, formula,
// kind) and every output takes it from Result.Metrics. The engine records a
// metric per KPI day in the slot of the same index (m* constants below), so
// adding a KPI means adding one constant and one declaration.

// Metric slots, in report order. Ratio metrics have slots too (they keep the
// declaration order) but are never recorded: they are formed from Num/Den.
const (
	mGMV = iota
	mGMVNet
	mOrders
	mRefunds
	mRefundsGMV
	mAOV
	mBuyers
	mNewCustomers
	mRepurchases
	mSpend
	mSpendCreatorFees
	mSpendCommission
	mSpendPaidTraffic
	mSpendCampaign
	mROI
	mMargin
	mProfit
	mCAC
	mImpressions
	mImpressionsK
	mGPM
	mActiveUsers
	mReactivations
	mCreatorIncome
	mActiveCreators
	mCreatorsNewcomer
	mCreatorsRising
	mCreatorsEstablished
	mCreatorsDormant
	mCreatorIncomeGini
	mCooperations
	mNewFollows
	mStockO
	mStockA1
	mStockA2
	mStockA3
	mStockA4
	mStockA5
	mFlowOA1
	mFlowA1A2
	mFlowA2A3
	mFlowA3A4
	mFlowA4A5
	mImpulseOrders
	mUsersNew
	mUsersActive
	mUsersLoyal
	mUsersAtRisk
	mUsersChurned
	mTrendCreators
	mTrendSubmissions
	mTrendPlays
	mTrendMerchants
	mTrendGMV
	mCampaignOrders
	mCampaignGMV
	mCampaignMargin
	mCampaignDiscount
	mCampaignImpressionsK
	mCampaignGPM
	mTasksPosted
	mTasksAccepted
	mTasksUnfilled
	mTasksUnfunded
	mTaskFulfilment
	mLinkedOrders
	mLinkedGMV
	mSeedingCredit
	mMatrixShortfall
	numMetrics
)

// KPI names: the Name of every metric in the registry, for code that
// asks for a KPI by name (Result totals, breakdown rows, objectives).
const (
	KPIGMV                  = "gmv"
	KPIGMVNet               = "gmv_net"
	KPIOrders               = "orders"
	KPIRefunds              = "refunds"
	KPIRefundsGMV           = "refunds_gmv"
	KPIAOV                  = "aov"
	KPIBuyers               = "buyers"
	KPINewCustomers         = "new_customers"
	KPIRepurchases          = "repurchases"
	KPISpend                = "spend"
	KPISpendCreatorFees     = "spend_creator_fees"
	KPISpendCommission      = "spend_commission"
	KPISpendPaidTraffic     = "spend_paid_traffic"
	KPISpendCampaign        = "spend_campaign"
	KPIROI                  = "roi"
	KPIMargin               = "margin"
	KPIProfit               = "profit"
	KPICAC                  = "cac"
	KPIImpressions          = "impressions"
	KPIImpressionsK         = "impressions_k"
	KPIGPM                  = "gpm"
	KPIActiveUsers          = "active_users"
	KPIReactivations        = "reactivations"
	KPICreatorIncome        = "creator_income"
	KPIActiveCreators       = "active_creators"
	KPICreatorsNewcomer     = "creators_newcomer"
	KPICreatorsRising       = "creators_rising"
	KPICreatorsEstablished  = "creators_established"
	KPICreatorsDormant      = "creators_dormant"
	KPICreatorIncomeGini    = "creator_income_gini"
	KPICooperations         = "cooperations"
	KPINewFollows           = "new_follows"
	KPIStockO               = "stock_o"
	KPIStockA1              = "stock_a1"
	KPIStockA2              = "stock_a2"
	KPIStockA3              = "stock_a3"
	KPIStockA4              = "stock_a4"
	KPIStockA5              = "stock_a5"
	KPIFlowOA1              = "flow_o_a1"
	KPIFlowA1A2             = "flow_a1_a2"
	KPIFlowA2A3             = "flow_a2_a3"
	KPIFlowA3A4             = "flow_a3_a4"
	KPIFlowA4A5             = "flow_a4_a5"
	KPIImpulseOrders        = "impulse_orders"
	KPIUsersNew             = "users_new"
	KPIUsersActive          = "users_active"
	KPIUsersLoyal           = "users_loyal"
	KPIUsersAtRisk          = "users_at_risk"
	KPIUsersChurned         = "users_churned"
	KPITrendCreators        = "trend_creators"
	KPITrendSubmissions     = "trend_submissions"
	KPITrendPlays           = "trend_plays"
	KPITrendMerchants       = "trend_merchants"
	KPITrendGMV             = "trend_gmv"
	KPICampaignOrders       = "campaign_orders"
	KPICampaignGMV          = "campaign_gmv"
	KPICampaignMargin       = "campaign_margin"
	KPICampaignDiscount     = "campaign_discount"
	KPICampaignImpressionsK = "campaign_impressions_k"
	KPICampaignGPM          = "campaign_gpm"
	KPITasksPosted          = "tasks_posted"
	KPITasksAccepted        = "tasks_accepted"
	KPITasksUnfilled        = "tasks_unfilled"
	KPITasksUnfunded        = "tasks_unfunded"
	KPITaskFulfilment       = "task_fulfilment"
	KPILinkedOrders         = "linked_orders"
	KPILinkedGMV            = "linked_gmv"
	KPISeedingCredit        = "seeding_credit"
	KPIMatrixShortfall      = "matrix_shortfall"
)

// registry declares every metric; index i is slot i.
var registry = [numMetrics]Metric{
	mGMV:                  {Name: KPIGMV, Label: "GMV", Unit: "CNY", Description: "gross merchandise value: sum over orders of the order value, price × (1 − campaign discount), × scale", Kind: Sum, HigherIsBetter: true},
	mGMVNet:               {Name: KPIGMVNet, Label: "GMV net of refunds", Unit: "CNY", Description: "gmv − refunds_gmv (refunds fall refund_delay_days after their order; those past the horizon are not counted)", Kind: Sum, HigherIsBetter: true},
	mOrders:               {Name: KPIOrders, Label: "Orders", Unit: "orders", Description: "purchases (A3→A4, A4/A5 repurchases, live-room impulse purchases) × scale", Kind: Sum, HigherIsBetter: true},
	mRefunds:              {Name: KPIRefunds, Label: "Refunds", Unit: "orders", Description: "refunded orders falling due on the day × scale", Kind: Sum},
	mRefundsGMV:           {Name: KPIRefundsGMV, Label: "Refunded GMV", Unit: "CNY", Description: "order value of the refunds falling due on the day", Kind: Sum},
	mAOV:                  {Name: KPIAOV, Label: "Average order value", Unit: "CNY", Description: "gmv / orders", Kind: Ratio, Num: KPIGMV, Den: KPIOrders, HigherIsBetter: true},
	mBuyers:               {Name: KPIBuyers, Label: "Buyers", Unit: "users", Description: "distinct users with at least one order over the KPI days (a user is counted on the day of its first order in the KPI period) × scale", Kind: Sum, HigherIsBetter: true},
	mNewCustomers:         {Name: KPINewCustomers, Label: "New customers", Unit: "users", Description: "first-ever orders of a user from a merchant × scale", Kind: Sum, HigherIsBetter: true},
	mRepurchases:          {Name: KPIRepurchases, Label: "Repurchases", Unit: "orders", Description: "orders of users who had bought from the merchant before × scale (orders = new_customers + repurchases)", Kind: Sum, HigherIsBetter: true},
	mSpend:                {Name: KPISpend, Label: "Spend", Unit: "CNY", Description: "spend_creator_fees + spend_commission + spend_paid_traffic + spend_campaign", Kind: Sum},
	mSpendCreatorFees:     {Name: KPISpendCreatorFees, Label: "Creator fees", Unit: "CNY", Description: "rate-card fees of fee_cps and seed_harvest cooperations and task fees, charged when contracted", Kind: Sum},
	mSpendCommission:      {Name: KPISpendCommission, Label: "Commission", Unit: "CNY", Description: "commission rate × GMV of creator content (no claw-back on refunds)", Kind: Sum},
	mSpendPaidTraffic:     {Name: KPISpendPaidTraffic, Label: "Paid traffic", Unit: "CNY", Description: "delivered paid impressions × CPM / 1000 × scale, including task e-commerce boosts; never above the paced budget", Kind: Sum},
	mSpendCampaign:        {Name: KPISpendCampaign, Label: "Campaign cost", Unit: "CNY", Description: "campaign fees + discounts given (price × discount per campaign order)", Kind: Sum},
	mROI:                  {Name: KPIROI, Label: "ROI", Unit: "ratio", Description: "gmv / spend", Kind: Ratio, Num: KPIGMV, Den: KPISpend, HigherIsBetter: true},
	mMargin:               {Name: KPIMargin, Label: "Gross margin", Unit: "CNY", Description: "sum over orders of price × (margin − discount) × scale: margin after campaign discounts", Kind: Sum, HigherIsBetter: true},
	mProfit:               {Name: KPIProfit, Label: "Profit", Unit: "CNY", Description: "margin − margin of refunded orders − (spend − discounts): discounts are counted once", Kind: Sum, HigherIsBetter: true},
	mCAC:                  {Name: KPICAC, Label: "Customer acquisition cost", Unit: "CNY", Description: "spend / new_customers", Kind: Ratio, Num: KPISpend, Den: KPINewCustomers},
	mImpressions:          {Name: KPIImpressions, Label: "Impressions", Unit: "impressions", Description: "commercial impressions of the scenario's content (organic, followed and paid) × scale", Kind: Sum, HigherIsBetter: true},
	mImpressionsK:         {Name: KPIImpressionsK, Label: "Impressions (thousands)", Unit: "1000 impressions", Description: "impressions / 1000 (denominator of gpm)", Kind: Sum, HigherIsBetter: true},
	mGPM:                  {Name: KPIGPM, Label: "GMV per mille", Unit: "CNY", Description: "gmv / impressions_k: GMV per 1,000 impressions", Kind: Ratio, Num: KPIGMV, Den: KPIImpressionsK, HigherIsBetter: true},
	mActiveUsers:          {Name: KPIActiveUsers, Label: "Active users", Unit: "users", Description: "users who opened the app on the day × scale", Kind: Sum, HigherIsBetter: true},
	mReactivations:        {Name: KPIReactivations, Label: "Re-activations", Unit: "users", Description: "at-risk or churned users who opened the app again × scale", Kind: Sum, HigherIsBetter: true},
	mCreatorIncome:        {Name: KPICreatorIncome, Label: "Creator income", Unit: "CNY", Description: "fees + commissions earned by creators", Kind: Sum, HigherIsBetter: true},
	mActiveCreators:       {Name: KPIActiveCreators, Label: "Active creators", Unit: "creators", Description: "creators with live commercial content on the day", Kind: Stock, HigherIsBetter: true},
	mCreatorsNewcomer:     {Name: KPICreatorsNewcomer, Label: "Newcomer creators", Unit: "creators", Description: "creators in lifecycle state newcomer, end of day", Kind: Stock},
	mCreatorsRising:       {Name: KPICreatorsRising, Label: "Rising creators", Unit: "creators", Description: "creators in lifecycle state rising (engaged — content live or income — on rising_after_days days)", Kind: Stock, HigherIsBetter: true},
	mCreatorsEstablished:  {Name: KPICreatorsEstablished, Label: "Established creators", Unit: "creators", Description: "rising creators with at least established_followers real followers or engaged on established_after_days days (and creators starting above the followers threshold)", Kind: Stock, HigherIsBetter: true},
	mCreatorsDormant:      {Name: KPICreatorsDormant, Label: "Dormant creators", Unit: "creators", Description: "creators who earned less over dormant_after_days than the reservation incomes of the cooperations they took", Kind: Stock},
	mCreatorIncomeGini:    {Name: KPICreatorIncomeGini, Label: "Creator income Gini", Unit: "ratio", Description: "Gini coefficient of creator income accumulated over the KPI days, among creators with income", Kind: Stock},
	mCooperations:         {Name: KPICooperations, Label: "Cooperations", Unit: "cooperations", Description: "merchant–creator cooperations contracted (matrix, task and roster)", Kind: Sum, HigherIsBetter: true},
	mNewFollows:           {Name: KPINewFollows, Label: "New follows", Unit: "users", Description: "follows gained by creators from engagement × scale", Kind: Sum, HigherIsBetter: true},
	mStockO:               {Name: KPIStockO, Label: "Stock O", Unit: "user-merchant pairs", Description: "users at stage O (opportunity) summed over merchants, end of day, × scale", Kind: Stock},
	mStockA1:              {Name: KPIStockA1, Label: "Stock A1", Unit: "user-merchant pairs", Description: "users at A1 aware, summed over merchants × scale", Kind: Stock, HigherIsBetter: true},
	mStockA2:              {Name: KPIStockA2, Label: "Stock A2", Unit: "user-merchant pairs", Description: "users at A2 appeal × scale", Kind: Stock, HigherIsBetter: true},
	mStockA3:              {Name: KPIStockA3, Label: "Stock A3", Unit: "user-merchant pairs", Description: "users at A3 ask × scale", Kind: Stock, HigherIsBetter: true},
	mStockA4:              {Name: KPIStockA4, Label: "Stock A4", Unit: "user-merchant pairs", Description: "users at A4 act × scale", Kind: Stock, HigherIsBetter: true},
	mStockA5:              {Name: KPIStockA5, Label: "Stock A5", Unit: "user-merchant pairs", Description: "users at A5 advocate × scale", Kind: Stock, HigherIsBetter: true},
	mFlowOA1:              {Name: KPIFlowOA1, Label: "Flow O→A1", Unit: "users", Description: "advances O→A1 × scale", Kind: Sum, HigherIsBetter: true},
	mFlowA1A2:             {Name: KPIFlowA1A2, Label: "Flow A1→A2", Unit: "users", Description: "advances A1→A2 × scale", Kind: Sum, HigherIsBetter: true},
	mFlowA2A3:             {Name: KPIFlowA2A3, Label: "Flow A2→A3", Unit: "users", Description: "advances A2→A3 × scale", Kind: Sum, HigherIsBetter: true},
	mFlowA3A4:             {Name: KPIFlowA3A4, Label: "Flow A3→A4", Unit: "users", Description: "purchases moving a user to A4 (A3→A4 and impulse from A1/A2) × scale", Kind: Sum, HigherIsBetter: true},
	mFlowA4A5:             {Name: KPIFlowA4A5, Label: "Flow A4→A5", Unit: "users", Description: "repurchases moving a user from A4 to A5 × scale", Kind: Sum, HigherIsBetter: true},
	mImpulseOrders:        {Name: KPIImpulseOrders, Label: "Impulse orders", Unit: "orders", Description: "live-room purchases by users at A1/A2 × scale", Kind: Sum, HigherIsBetter: true},
	mUsersNew:             {Name: KPIUsersNew, Label: "New users", Unit: "users", Description: "users in lifecycle state new, end of day × scale", Kind: Stock},
	mUsersActive:          {Name: KPIUsersActive, Label: "Active-state users", Unit: "users", Description: "users in lifecycle state active × scale", Kind: Stock, HigherIsBetter: true},
	mUsersLoyal:           {Name: KPIUsersLoyal, Label: "Loyal users", Unit: "users", Description: "users in lifecycle state loyal × scale", Kind: Stock, HigherIsBetter: true},
	mUsersAtRisk:          {Name: KPIUsersAtRisk, Label: "At-risk users", Unit: "users", Description: "users in lifecycle state at_risk × scale", Kind: Stock},
	mUsersChurned:         {Name: KPIUsersChurned, Label: "Churned users", Unit: "users", Description: "users in lifecycle state churned × scale", Kind: Stock},
	mTrendCreators:        {Name: KPITrendCreators, Label: "Trend creators", Unit: "creators", Description: "creators who adopted any trend (sum over trends)", Kind: Stock, HigherIsBetter: true},
	mTrendSubmissions:     {Name: KPITrendSubmissions, Label: "Trend submissions", Unit: "submissions", Description: "trend submissions published by adopters", Kind: Sum, HigherIsBetter: true},
	mTrendPlays:           {Name: KPITrendPlays, Label: "Trend plays", Unit: "impressions", Description: "impressions of trend submissions and of trend-tagged cooperation content × scale", Kind: Sum, HigherIsBetter: true},
	mTrendMerchants:       {Name: KPITrendMerchants, Label: "Trend merchants", Unit: "merchants", Description: "rider merchants with at least one trend-tagged cooperation so far (sum over trends)", Kind: Stock, HigherIsBetter: true},
	mTrendGMV:             {Name: KPITrendGMV, Label: "Trend GMV", Unit: "CNY", Description: "GMV of trend-tagged cooperation content", Kind: Sum, HigherIsBetter: true},
	mCampaignOrders:       {Name: KPICampaignOrders, Label: "Campaign orders", Unit: "orders", Description: "orders of eligible content inside a campaign window × scale", Kind: Sum, HigherIsBetter: true},
	mCampaignGMV:          {Name: KPICampaignGMV, Label: "Campaign GMV", Unit: "CNY", Description: "GMV of campaign orders (after discount)", Kind: Sum, HigherIsBetter: true},
	mCampaignMargin:       {Name: KPICampaignMargin, Label: "Campaign margin", Unit: "CNY", Description: "price × (margin − discount) over campaign orders", Kind: Sum, HigherIsBetter: true},
	mCampaignDiscount:     {Name: KPICampaignDiscount, Label: "Campaign discounts", Unit: "CNY", Description: "price × discount over campaign orders (paid by the merchant)", Kind: Sum},
	mCampaignImpressionsK: {Name: KPICampaignImpressionsK, Label: "Campaign impressions (thousands)", Unit: "1000 impressions", Description: "impressions of eligible content inside a campaign window / 1000", Kind: Sum, HigherIsBetter: true},
	mCampaignGPM:          {Name: KPICampaignGPM, Label: "Campaign GMV per mille", Unit: "CNY", Description: "campaign_gmv / campaign_impressions_k", Kind: Ratio, Num: KPICampaignGMV, Den: KPICampaignImpressionsK, HigherIsBetter: true},
	mTasksPosted:          {Name: KPITasksPosted, Label: "Tasks posted", Unit: "tasks", Description: "Magpie Bridge tasks posted (within budget)", Kind: Sum},
	mTasksAccepted:        {Name: KPITasksAccepted, Label: "Tasks accepted", Unit: "tasks", Description: "tasks accepted by a creator (fee + expected commission ≥ reservation income, capacity left)", Kind: Sum, HigherIsBetter: true},
	mTasksUnfilled:        {Name: KPITasksUnfilled, Label: "Tasks unfilled", Unit: "tasks", Description: "tasks no creator accepted", Kind: Sum},
	mTasksUnfunded:        {Name: KPITasksUnfunded, Label: "Tasks unfunded", Unit: "tasks", Description: "tasks of the creator matrix not posted because the paced creator-fee allowance or the paid-traffic budget could not cover them", Kind: Sum},
	mTaskFulfilment:       {Name: KPITaskFulfilment, Label: "Task fulfilment", Unit: "ratio", Description: "tasks_accepted / tasks_posted", Kind: Ratio, Num: KPITasksAccepted, Den: KPITasksPosted, HigherIsBetter: true},
	mLinkedOrders:         {Name: KPILinkedOrders, Label: "Linked orders", Unit: "orders", Description: "orders in a linked (harvest) live room by users inside their seeding window × scale", Kind: Sum, HigherIsBetter: true},
	mLinkedGMV:            {Name: KPILinkedGMV, Label: "Linked GMV", Unit: "CNY", Description: "GMV of linked orders (Xingque seeding→harvest)", Kind: Sum, HigherIsBetter: true},
	mSeedingCredit:        {Name: KPISeedingCredit, Label: "Seeding credit", Unit: "CNY", Description: "linkage.seeding_credit × linked_gmv: the share of linked GMV attributed to seeding content", Kind: Sum, HigherIsBetter: true},
	mMatrixShortfall:      {Name: KPIMatrixShortfall, Label: "Matrix shortfall", Unit: "cooperations", Description: "cooperations matrix entries asked for at a re-plan and did not get (pool of never-booked creators used up, creators dormant or at capacity, fee above the paced allowance); tasks: tasks_unfilled", Kind: Sum},
}

// Metrics returns the declared metrics in report order, with the unit
// "CNY" replaced by currency.
func Metrics(currency string) []Metric {
	out := make([]Metric, numMetrics)
	copy(out, registry[:])
	if currency != "" {
		for i := range out {
			if out[i].Unit == "CNY" {
				out[i].Unit = currency
			}
		}
	}
	return out
}

// breakdownMetrics are the metrics recorded per breakdown key (ratios such
// as roi = gmv / spend and aov = gmv / orders are formed from them).
// Each key also gets a "roi" row, stats.ROI of the key's gmv and spend
// (NaN, undefined, when the key has no spend), which the reports draw by
// creator type × format.
var breakdownMetrics = []string{"gmv", "orders", "new_customers", "impressions", "spend", "creator_income"}

const (
	bGMV = iota
	bOrders
	bNewCustomers
	bImpressions
	bSpend
	bCreatorIncome
	numB
)

// Breakdown dimensions, in output order.
// creator_type_format keys are "TYPE/FORMAT" (own content: "own/FORMAT";
// campaign fees: "own/none"). campaign_window keys are "MERCHANT/CAMPAIGN":
// the merchant's content that a campaign's window and product, type and
// tier restrictions cover whether or not the merchant joined, so a variant
// that joins and one that does not compare the same content over the same
// days (order conversion = orders / impressions of the key);
// "MERCHANT/none" is the rest.
var breakdownDims = []string{"merchant", "creator_type", "creator_tier", "format", "contract", "fact_channel", "trend", "campaign", "creator_type_format", "campaign_window"}

const (
	dMerchant = iota
	dType
	dTier
	dFormat
	dContract
	dFACT
	dTrend
	dCampaign
	dTypeFormat
	dCampWindow
	numDims
)

// FACT channels.
var factChannels = []string{"field", "alliance", "campaign", "top_kol"}

const (
	factField = iota
	factAlliance
	factCampaign
	factTopKOL
)
