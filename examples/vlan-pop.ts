// Strip the outer VLAN tag of frames on one VLAN id (a load-time constant); pass the rest as is.
import { constant, u16, xdp } from '../src/xdp/index.js';

export const strip_vid = constant('strip_vid', u16, 100);

export const vlan_pop = xdp('vlan_pop', (p) => {
  p.ifVlan((tag) => {
    p.if(tag.vid.eq(strip_vid), () => p.vlanPop());
  });
});
