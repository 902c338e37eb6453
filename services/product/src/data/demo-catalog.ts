/** The demo storefront: a small, realistic catalog across six categories (prices in USD cents). */
export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  priceMinor: number;
  category: string;
  stock: number;
}

type Row = [name: string, description: string, priceMinor: number, stock: number];

const CATEGORIES: Record<string, { code: string; rows: Row[] }> = {
  electronics: {
    code: 'ELEC',
    rows: [
      ['Aurora Wireless Headphones', 'Over-ear Bluetooth headphones with active noise cancelling and a 30-hour battery.', 12999, 40],
      ['Pulse Mini Speaker', 'Pocket-sized waterproof speaker with surprisingly deep bass for picnics and showers.', 3999, 75],
      ['Lumen 4K Monitor 27"', 'Twenty-seven inch IPS display with USB-C power delivery and factory colour calibration.', 34900, 15],
      ['Glide Mechanical Keyboard', 'Tenkeyless keyboard with hot-swappable tactile switches and white backlight.', 8900, 30],
      ['Orbit Ergonomic Mouse', 'Vertical wireless mouse that keeps your wrist in a relaxed handshake position.', 4900, 60],
      ['Volt 65W USB-C Charger', 'Compact gallium nitride charger that tops up a laptop and a phone at once.', 3499, 120],
      ['Nimbus Smartwatch', 'Fitness tracking smartwatch with heart-rate sensor, GPS and a week of battery life.', 19900, 25],
      ['Pixel Pocket Camera', 'Retro-styled compact camera shooting 20 megapixel stills and steady 4K video.', 44900, 8],
      ['Echo Earbuds Pro', 'True wireless earbuds with transparency mode and a wireless charging case.', 9900, 50],
    ],
  },
  home: {
    code: 'HOME',
    rows: [
      ['Cast Iron Skillet 10"', 'Pre-seasoned cast iron pan that sears steak and bakes cornbread for decades.', 3499, 45],
      ['Pour-Over Coffee Set', 'Glass dripper, carafe and reusable stainless filter for a clean, bright brew.', 4200, 35],
      ['Linen Duvet Cover', 'Stonewashed French linen duvet cover, breathable in summer and cosy in winter.', 12900, 20],
      ['Ceramic Dinner Plates (Set of 4)', 'Hand-glazed stoneware plates in a speckled oat colour, dishwasher safe.', 5600, 30],
      ['Chef Knife 8"', 'High-carbon stainless steel chef knife with a full tang and walnut handle.', 7900, 25],
      ['Bamboo Cutting Board', 'Large reversible bamboo board with a juice groove for carving roasts.', 2900, 70],
      ['Aroma Diffuser', 'Ultrasonic essential oil diffuser with a soft warm light and auto shut-off.', 3200, 40],
      ['Wool Throw Blanket', 'Chunky knit merino wool throw for reading on the sofa on cold evenings.', 8900, 18],
    ],
  },
  books: {
    code: 'BOOK',
    rows: [
      ['The Quiet Orchard', 'A literary novel about three generations tending an apple orchard through drought and change.', 1899, 60],
      ['Practical Distributed Systems', 'A field guide to building reliable services: idempotency, retries, queues and consensus.', 4599, 25],
      ['Cooking with Fire', 'Recipes and techniques for grilling, smoking and campfire cooking, with step-by-step photos.', 2999, 35],
      ['Stars Over the Desert', 'An illustrated astronomy handbook for stargazing without a telescope.', 2499, 40],
      ['The Mindful Runner', 'Training plans and breathing exercises for runners who want to enjoy every mile.', 1699, 50],
      ['Mysteries of the Deep Sea', 'Popular science tour of the creatures living in the ocean trenches, from anglerfish to squid.', 2199, 30],
      ['Learn Watercolour in 30 Days', 'A daily workbook of watercolour painting exercises for complete beginners.', 1999, 45],
      ['The Last Lighthouse Keeper', 'A gripping mystery set on a storm-battered island off the Scottish coast.', 1499, 55],
    ],
  },
  sports: {
    code: 'SPRT',
    rows: [
      ['Trail Running Shoes', 'Lightweight trail shoes with a grippy lug outsole and a rock plate for rough paths.', 12900, 30],
      ['Yoga Mat Pro', 'Six millimetre natural rubber yoga mat with alignment lines and a carry strap.', 6900, 40],
      ['Adjustable Dumbbells', 'Pair of dumbbells that adjust from 2 to 24 kilograms with a turn of the dial.', 29900, 10],
      ['Insulated Water Bottle', 'Double-walled stainless bottle that keeps drinks cold for 24 hours on the trail.', 2999, 100],
      ['Two-Person Tent', 'Freestanding backpacking tent, under two kilograms, with a full rain fly.', 24900, 12],
      ['Cycling Helmet', 'Ventilated road cycling helmet with a rear light and magnetic buckle.', 8900, 25],
      ['Resistance Bands Set', 'Five latex bands of increasing resistance for strength training at home.', 2499, 80],
      ['Down Sleeping Bag', 'Lightweight goose down sleeping bag rated to minus five degrees Celsius.', 21900, 9],
      ['Hiking Backpack 40L', 'Ventilated 40 litre backpack with a rain cover and hip-belt pockets.', 13900, 20],
    ],
  },
  clothing: {
    code: 'CLTH',
    rows: [
      ['Merino Wool Sweater', 'Fine-knit merino crew neck sweater that stays warm without itching.', 8900, 35],
      ['Organic Cotton T-Shirt', 'Heavyweight organic cotton tee with a relaxed fit, in undyed natural.', 2900, 120],
      ['Waxed Canvas Jacket', 'Water-resistant waxed cotton jacket with a corduroy collar and many pockets.', 18900, 15],
      ['Selvedge Denim Jeans', 'Raw selvedge denim jeans with a straight leg that fades beautifully with wear.', 14900, 25],
      ['Rain Shell', 'Packable waterproof breathable rain jacket with taped seams and a stowable hood.', 11900, 30],
      ['Leather Chelsea Boots', 'Full-grain leather Chelsea boots with elastic sides and a resoleable sole.', 19900, 14],
      ['Wool Beanie', 'Ribbed lambswool beanie in forest green, warm and soft for winter walks.', 2400, 90],
      ['Linen Summer Shirt', 'Breezy linen button-down shirt for hot days and warm evenings.', 5900, 40],
    ],
  },
  toys: {
    code: 'TOYS',
    rows: [
      ['Wooden Train Set', 'Fifty-piece beechwood train set with bridges, tunnels and magnetic carriages.', 5900, 25],
      ['Strategy Board Game: Harbour', 'A trading and building board game for two to five players, about an hour per game.', 4499, 30],
      ['1000-Piece Puzzle: Mountain Lake', 'Jigsaw puzzle of an alpine lake at sunrise, printed on thick recycled board.', 1999, 50],
      ['Remote Control Rover', 'All-terrain remote control car with rubber tyres and a rechargeable battery.', 6900, 20],
      ['Building Blocks Starter Kit', 'Five hundred colourful interlocking bricks with ideas for houses and vehicles.', 3999, 45],
      ['Plush Otter', 'Super-soft plush otter holding a little clam, machine washable.', 1899, 70],
      ['Kids Science Kit', 'Twenty safe experiments with crystals, volcanoes and slime, with a lab notebook.', 3499, 35],
      ['Card Game: Sky Pirates', 'Fast family card game of airships, treasure and bluffing for ages eight and up.', 1499, 60],
    ],
  },
};

export const DEMO_CATALOG: DemoProduct[] = Object.entries(CATEGORIES).flatMap(([category, { code, rows }]) =>
  rows.map(([name, description, priceMinor, stock], i) => ({
    sku: `DEMO-${code}-${String(i + 1).padStart(3, '0')}`,
    name,
    description,
    priceMinor,
    category,
    stock,
  })),
);
