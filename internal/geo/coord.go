package geo

import "math"

// Chinese web maps publish coordinates in two obfuscated systems: GCJ-02 (国测局坐标, used by Amap,
// Tencent and WeChat) and BD-09 (Baidu). Linli stores WGS-84 only and converts at the edge.

const (
	krasovskyA  = 6378245.0                // semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02
	krasovskyEE = 0.00669342162296594323   // its first eccentricity squared
	bdXPi       = math.Pi * 3000.0 / 180.0 // BD-09's extra rotation factor
)

// CRS names a coordinate reference system a point may arrive in.
type CRS string

// The coordinate systems accepted at the edge.
const (
	WGS84 CRS = "wgs84"
	GCJ02 CRS = "gcj02"
	BD09  CRS = "bd09"
)

// CRSLabels names each system the way forms show it.
var CRSLabels = []struct {
	CRS   CRS
	Label string
}{
	{WGS84, "WGS-84（GPS、天地图）"},
	{GCJ02, "GCJ-02（高德、腾讯、微信）"},
	{BD09, "BD-09（百度地图）"},
}

// ToWGS84 converts lon/lat given in crs to WGS-84. An unknown crs is treated as WGS-84.
func ToWGS84(crs CRS, lon, lat float64) (float64, float64) {
	switch crs {
	case GCJ02:
		return GCJ02ToWGS84(lon, lat)
	case BD09:
		return BD09ToWGS84(lon, lat)
	}
	return lon, lat
}

// InChina reports whether a point lies in the rough box where GCJ-02 applies its offset; outside
// it GCJ-02 equals WGS-84.
func InChina(lon, lat float64) bool {
	return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271
}

// WGS84ToGCJ02 applies the GCJ-02 offset to a WGS-84 point.
func WGS84ToGCJ02(lon, lat float64) (float64, float64) {
	if !InChina(lon, lat) {
		return lon, lat
	}
	dLat := offsetLat(lon-105.0, lat-35.0)
	dLon := offsetLon(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02 by fixed-point iteration, to well under a centimetre; the
// one-step inverse found in many libraries is off by up to a few metres.
func GCJ02ToWGS84(lon, lat float64) (float64, float64) {
	if !InChina(lon, lat) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for i := 0; i < 30; i++ {
		gLon, gLat := WGS84ToGCJ02(wLon, wLat)
		dLon, dLat := gLon-lon, gLat-lat
		wLon, wLat = wLon-dLon, wLat-dLat
		if math.Abs(dLon) < 1e-10 && math.Abs(dLat) < 1e-10 {
			break
		}
	}
	return wLon, wLat
}

// BD09ToGCJ02 removes Baidu's rotation from a BD-09 point.
func BD09ToGCJ02(lon, lat float64) (float64, float64) {
	x, y := lon-0.0065, lat-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	return z * math.Cos(theta), z * math.Sin(theta)
}

// GCJ02ToBD09 applies Baidu's rotation to a GCJ-02 point.
func GCJ02ToBD09(lon, lat float64) (float64, float64) {
	z := math.Sqrt(lon*lon+lat*lat) + 0.00002*math.Sin(lat*bdXPi)
	theta := math.Atan2(lat, lon) + 0.000003*math.Cos(lon*bdXPi)
	return z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006
}

// BD09ToWGS84 converts a Baidu point to WGS-84: the published one-step inverse through GCJ-02
// (off by some centimetres), refined by iterating the forward transform.
func BD09ToWGS84(lon, lat float64) (float64, float64) {
	wLon, wLat := GCJ02ToWGS84(BD09ToGCJ02(lon, lat))
	for i := 0; i < 10; i++ {
		bLon, bLat := WGS84ToBD09(wLon, wLat)
		dLon, dLat := bLon-lon, bLat-lat
		wLon, wLat = wLon-dLon, wLat-dLat
		if math.Abs(dLon) < 1e-10 && math.Abs(dLat) < 1e-10 {
			break
		}
	}
	return wLon, wLat
}

// WGS84ToBD09 converts a WGS-84 point to Baidu's system (through GCJ-02).
func WGS84ToBD09(lon, lat float64) (float64, float64) {
	return GCJ02ToBD09(WGS84ToGCJ02(lon, lat))
}

func offsetLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func offsetLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// DistanceMeters is the great-circle distance between two WGS-84 points, for tests and tolerances.
func DistanceMeters(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
